package realtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Path is where the endpoint is served.
const Path = "/x12/realtime"

// Server timeouts and limits (defaults of Config).
const (
	DefaultMaxBody       = 1 << 20
	DefaultAnswerTimeout = 20 * time.Second
	readHeaderTimeout    = 5 * time.Second
	readTimeout          = 30 * time.Second
	writeTimeout         = 60 * time.Second
	idleTimeout          = 2 * time.Minute
	maxHeaderBytes       = 16 << 10
)

// Errors a Responder returns to choose the HTTP answer.
var (
	// ErrNotX12 means the payload is not an X12 interchange at all (400).
	ErrNotX12 = errors.New("realtime: payload is not an X12 interchange")
	// ErrUnsupported means the interchange holds no set the endpoint
	// answers in real time, or more than one (400).
	ErrUnsupported = errors.New("realtime: payload is not a single 270 or 276 transaction")
)

// Kinds of requests, as CORE PayloadTypes name them.
const (
	PayloadType270 = "X12_270_Request_005010X279A1"
	PayloadType276 = "X12_276_Request_005010X212"
	PayloadType271 = "X12_271_Response_005010X279A1"
	PayloadType277 = "X12_277_Response_005010X212"
	PayloadType999 = "X12_999_Response_005010X231A1"
	PayloadTypeTA1 = "X12_TA1_Response_00501X231A1"
)

// Request is what the Responder is asked.
type Request struct {
	// Partner is the authenticated partner.
	Partner string
	// Payload is the X12 interchange.
	Payload []byte
	// PayloadType is the CORE PayloadType ("" for a raw request): the
	// Responder must refuse a payload of another kind (ErrUnsupported).
	PayloadType string
}

// Answer is the Responder's answer.
type Answer struct {
	// Payload is the X12 answer: a 271 or 277, or a 999 or TA1.
	Payload []byte
	// PayloadType is its CORE name (PayloadType271, ...).
	PayloadType string
	// Entity and EntityID say what was asked about, for the audit log
	// ("member" and the member ID, "claim" and our control number, or
	// "interchange" and the ISA13 of a request that did not validate).
	Entity, EntityID string
	// Outcome summarises the answer for the audit log without PHI, e.g.
	// "EB:1", "AAA:2100C:75", "STC:F1:65", "999:R".
	Outcome string
}

// Responder answers one real-time X12 request.
type Responder interface {
	Respond(ctx context.Context, req Request) (Answer, error)
}

// Auditor records requests (the *store.Store).
type Auditor interface {
	Audit(ctx context.Context, e store.AuditEntry) error
}

// Config configures the endpoint.
type Config struct {
	// Addr is host:port to listen on (port 0 picks one; see Server.Addr).
	Addr string
	// TLSCert and TLSKey are PEM files; when set the endpoint speaks
	// only HTTPS (TLS 1.2 or later).
	TLSCert, TLSKey string
	// Auth authenticates requests. Required.
	Auth Authenticator
	// Responder answers. Required.
	Responder Responder
	// Audit records every request and answer. Required. When it has a
	// Close method (GroupAudit), the Server calls it once it has stopped.
	Audit Auditor
	// SenderIDs returns the ISA06 values and CORE SenderIDs a partner may
	// send with; empty means the partner ID itself (compared ignoring
	// case). Default: none configured for anyone.
	SenderIDs func(partner string) []string
	// ReceiverID is our identity in CORE answers (SenderID). Default
	// "CLEARINGHOUSE".
	ReceiverID string
	// MaxBody caps the request body. Default 1 MiB.
	MaxBody int64
	// AnswerTimeout bounds the Responder. Default 20s (CORE real time).
	AnswerTimeout time.Duration
	// Logger gets operational messages only (never payloads or IDs).
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

func (c *Config) fill() error {
	if c.Auth == nil || c.Responder == nil || c.Audit == nil {
		return errors.New("realtime: Auth, Responder and Audit are required")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("realtime: TLSCert and TLSKey go together")
	}
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.AnswerTimeout <= 0 {
		c.AnswerTimeout = DefaultAnswerTimeout
	}
	if c.ReceiverID == "" {
		c.ReceiverID = "CLEARINGHOUSE"
	}
	if c.SenderIDs == nil {
		c.SenderIDs = func(string) []string { return nil }
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Handler serves the endpoint; New makes one.
type Handler struct {
	cfg Config
}

// New returns the endpoint's handler (mux it at Path, or use Listen).
func New(cfg Config) (*Handler, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Handler{cfg: cfg}, nil
}

// Server is the listening endpoint.
type Server struct {
	srv   *http.Server
	ln    net.Listener
	done  chan struct{}
	audit Auditor
	once  sync.Once
}

// Listen binds cfg.Addr at once (a taken port is the caller's error) and
// serves the endpoint in the background, over TLS when a certificate is
// configured, until Shutdown or Close.
func Listen(cfg Config) (*Server, error) {
	h, err := New(cfg)
	if err != nil {
		return nil, err
	}
	cfg = h.cfg
	var tlsCfg *tls.Config
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("realtime: tls: %w", err)
		}
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("realtime: listen: %w", err)
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	mux := http.NewServeMux()
	mux.Handle(Path, h)
	s := &Server{ln: ln, done: make(chan struct{}), audit: cfg.Audit, srv: &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		TLSConfig:         tlsCfg,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Logger.Error("realtime: server stopped", slog.String("error", err.Error()))
		}
	}()
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Shutdown stops accepting requests and waits for those in flight until
// ctx ends, then closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	<-s.done
	s.closeAudit()
	return err
}

// closeAudit closes an audit writer that can be closed, once.
func (s *Server) closeAudit() {
	s.once.Do(func() {
		if c, ok := s.audit.(interface{ Close() }); ok {
			c.Close()
		}
	})
}

// Close closes the server and every connection at once.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	s.closeAudit()
	return err
}

// exchange is one request being served, for the audit log.
type exchange struct {
	start                   time.Time
	partner, remote         string
	mode, payloadID         string
	status                  int
	reqSum, respSum         string
	entity, entityID        string
	outcome, coreError, why string
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ex := &exchange{start: h.cfg.Now(), remote: r.RemoteAddr, mode: "raw"}
	defer h.audit(r.Context(), ex)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, ex, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBody)
	ctype, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype == "multipart/form-data" {
		ex.mode = "core"
		h.serveCORE(w, r, params["boundary"], ex)
		return
	}
	switch ctype {
	case "application/edi-x12", "application/x12", "text/plain", "application/octet-stream", "":
	default:
		h.fail(w, ex, http.StatusUnsupportedMediaType, "content type not supported: send application/edi-x12 or CORE multipart/form-data")
		return
	}
	partner, err := h.cfg.Auth.Authenticate(r.Context(), r, "", "")
	if err != nil {
		h.unauthorized(w, ex, err)
		return
	}
	ex.partner = partner
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.bodyError(w, ex, err)
		return
	}
	ex.reqSum = digest(body)
	if !h.asItself(partner, body, ex) {
		h.fail(w, ex, http.StatusForbidden, "the interchange sender (ISA06) is not the authenticated partner")
		return
	}
	ans, status, msg := h.respond(r.Context(), Request{Partner: partner, Payload: body}, ex)
	if status != http.StatusOK {
		h.fail(w, ex, status, msg)
		return
	}
	ex.status, ex.respSum = http.StatusOK, digest(ans.Payload)
	w.Header().Set("Content-Type", "application/edi-x12")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ans.Payload)
}

// respond runs the Responder within the answer timeout and maps its
// errors to HTTP statuses.
func (h *Handler) respond(ctx context.Context, req Request, ex *exchange) (Answer, int, string) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.AnswerTimeout)
	defer cancel()
	ans, err := h.cfg.Responder.Respond(ctx, req)
	ex.entity, ex.entityID, ex.outcome = ans.Entity, ans.EntityID, ans.Outcome
	switch {
	case err == nil:
		return ans, http.StatusOK, ""
	case errors.Is(err, ErrNotX12):
		return ans, http.StatusBadRequest, "the payload is not an X12 interchange"
	case errors.Is(err, ErrUnsupported):
		return ans, http.StatusBadRequest, "the payload must be one 270 (005010X279A1) or 276 (005010X212) transaction"
	case errors.Is(err, context.DeadlineExceeded):
		h.cfg.Logger.WarnContext(ctx, "realtime: answer timed out", slog.String("partner", req.Partner))
		return ans, http.StatusGatewayTimeout, "no answer in time"
	default:
		h.cfg.Logger.ErrorContext(ctx, "realtime: cannot answer", slog.String("partner", req.Partner), slog.String("error", err.Error()))
		return ans, http.StatusServiceUnavailable, "cannot answer now; try again"
	}
}

// asItself checks that the interchange's ISA06 is the partner's.
func (h *Handler) asItself(partner string, payload []byte, ex *exchange) bool {
	isa06, ok := senderOf(payload)
	if !ok {
		return true // not an interchange: the Responder says so
	}
	if h.allowed(partner, isa06) {
		return true
	}
	ex.why = "isa06"
	return false
}

// allowed reports whether id is one of the partner's sender IDs.
func (h *Handler) allowed(partner, id string) bool {
	ids := h.cfg.SenderIDs(partner)
	if len(ids) == 0 {
		return strings.EqualFold(id, partner)
	}
	for _, s := range ids {
		if strings.EqualFold(strings.TrimSpace(s), id) {
			return true
		}
	}
	return false
}

// senderOf returns ISA06 of an interchange, trimmed.
func senderOf(p []byte) (string, bool) {
	p = bytes.TrimLeft(p, "\ufeff \t\r\n")
	if len(p) < 106 || !bytes.HasPrefix(p, []byte("ISA")) {
		return "", false
	}
	sep := p[3]
	fields := bytes.SplitN(p[:106], []byte{sep}, 8)
	if len(fields) < 8 {
		return "", false
	}
	return strings.TrimSpace(string(fields[6])), true
}

func (h *Handler) unauthorized(w http.ResponseWriter, ex *exchange, err error) {
	ex.why = "auth"
	if errors.Is(err, ErrAuthUnavailable) {
		h.fail(w, ex, http.StatusServiceUnavailable, "cannot authenticate now; try again")
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="clearinghouse", Basic realm="clearinghouse"`)
	h.fail(w, ex, http.StatusUnauthorized, "authentication required")
}

func (h *Handler) bodyError(w http.ResponseWriter, ex *exchange, err error) {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		h.fail(w, ex, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", h.cfg.MaxBody))
		return
	}
	h.fail(w, ex, http.StatusBadRequest, "cannot read the body")
}

// fail answers a raw request with a plain-text error.
func (h *Handler) fail(w http.ResponseWriter, ex *exchange, status int, msg string) {
	ex.status = status
	if ex.why == "" {
		ex.why = msg
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

// audit writes the exchange to the audit log (never to the normal log).
func (h *Handler) audit(ctx context.Context, ex *exchange) {
	detail, _ := json.Marshal(map[string]any{
		"status": ex.status, "mode": ex.mode, "payload_id": ex.payloadID, "remote": ex.remote,
		"request_sha256": ex.reqSum, "response_sha256": ex.respSum, "answer": ex.outcome,
		"core_error": ex.coreError, "refused": refusal(ex), "ms": h.cfg.Now().Sub(ex.start).Milliseconds(),
	})
	actor := "realtime"
	if ex.partner != "" {
		actor = "realtime:" + ex.partner
	}
	entity := ex.entity
	if entity == "" {
		entity = "request"
	}
	// The request may be over; the audit entry must still be written.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := h.cfg.Audit.Audit(ctx, store.AuditEntry{At: ex.start, Actor: actor, Action: "realtime.inquiry",
		Entity: entity, EntityID: ex.entityID, Detail: string(detail)}); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "realtime: audit failed", slog.String("error", err.Error()))
	}
}

func refusal(ex *exchange) string {
	if ex.status == http.StatusOK {
		return ""
	}
	return ex.why
}

func digest(b []byte) string {
	if b == nil {
		return ""
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
