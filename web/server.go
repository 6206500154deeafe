// Package web is the clearinghouse portal: a server-rendered web
// application (html/template, no JavaScript build) for providers' billing
// staff and the clearinghouse's operators, served from the one binary with
// its templates and assets embedded.
//
// [New] returns an http.Handler. Every page runs behind the same chain:
// security headers (CSP, X-Frame-Options DENY, Cache-Control no-store),
// a request size limit, the session (a random token in a Secure, HttpOnly,
// SameSite=Strict cookie; the store keeps its SHA-256), the account checks
// of every request (locked, disabled, expired users are logged out), a
// CSRF token on every POST, and the role check of the route. What a user
// may read is enforced in the store queries ([store.Scope]): another
// tenant's file or claim answers 404. Every page or download that shows
// member or claim data writes a PHI audit entry first; if that write
// fails, the request fails.
//
// Later pages (eligibility, claim status, remittances, CSV uploads,
// nightly reports) plug in through [Module].
package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/web/auth"
)

// Config configures [New]. Store is required; the rest have defaults.
type Config struct {
	// Store is the clearinghouse database.
	Store *store.Store
	// Spool holds inbound and outbound bytes: uploads are spooled there,
	// and acknowledgments are read from it for the file pages. Required
	// for uploads and acknowledgment details.
	Spool *spool.Spool
	// Process, when set, processes an uploaded or reset file right away
	// (the engine's ProcessFile); otherwise the engine's next cycle does.
	Process func(ctx context.Context, inboundID int64) error
	// Hold, when set, is asked about each uploaded file with its name and
	// first bytes (up to 4096): true records it held (store.InboundHeld)
	// and does not process it — CSV submissions wait for the nightly run.
	Hold func(name string, head []byte) bool
	// Jobs are the engine's cron schedules, shown to operators.
	Jobs []Job
	// Modules add pages (eligibility, remittances, ...).
	Modules []Module
	// Logger receives the portal's logs (never PHI). Default slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// MaxUploadBytes caps an uploaded file. Default 64 MiB.
	MaxUploadBytes int64
	// SessionIdle is how long a session lives without a request. Default 30m.
	SessionIdle time.Duration
	// TrustProxy takes the client IP from X-Forwarded-For (behind a
	// reverse proxy that sets it). Default: the connection's address.
	TrustProxy bool
	// InsecureCookies drops the Secure flag of cookies: only for plain
	// HTTP tests on hosts a browser does not treat as secure (localhost
	// and 127.0.0.1 are; keep it false).
	InsecureCookies bool
}

// Job is one cron schedule of the engine.
type Job struct {
	Name, Spec string
	// Next is the next run (zero when unknown).
	Next time.Time
}

// Module adds pages to the portal. Register is called once by New (an
// error fails New); NavItems become links in the menu of the users whose
// role they name.
type Module interface {
	Register(r *Router) error
	NavItems() []NavItem
}

// NavItem is a menu link.
type NavItem struct {
	Label, Path string
	Roles       []store.Role
}

// Server is the portal's http.Handler.
type Server struct {
	cfg  Config
	mux  *http.ServeMux
	tmpl *templates
	nav  []NavItem
	st   *store.Store
	log  *slog.Logger
	// titles are the page titles of Modules' templates.
	titles map[string]string
}

// The session and login-CSRF cookies.
const (
	sessionCookie = "ch_session"
	loginCookie   = "ch_login"
)

// New builds the portal.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: Config.Store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 64 << 20
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 30 * time.Minute
	}
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), tmpl: t, st: cfg.Store, log: cfg.Logger, titles: map[string]string{}}
	s.routes()
	r := &Router{s: s}
	for _, m := range cfg.Modules {
		if err := m.Register(r); err != nil {
			return nil, err
		}
		s.nav = append(s.nav, m.NavItems()...)
	}
	return s, nil
}

// ServeHTTP applies the security headers and the size limit, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		// Every page may show PHI: never cached, anywhere.
		h.Set("Cache-Control", "no-store")
		h.Set("Pragma", "no-cache")
	}
	limit := int64(1 << 20)
	if r.URL.Path == "/files/upload" {
		limit = s.cfg.MaxUploadBytes + 1<<20
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	s.mux.ServeHTTP(w, r)
}

// Router registers a Module's routes behind the portal's session, CSRF
// and role checks.
type Router struct{ s *Server }

// Handle serves pattern (a net/http pattern such as "GET /eligibility")
// to the users of roles (none: every signed-in user). h gets the request's
// [Request]; an error it returns becomes the error page (404 for
// store.ErrNotFound).
func (r *Router) Handle(pattern string, h func(*Request) error, roles ...store.Role) {
	r.s.handle(pattern, h, roles...)
}

// AddTemplate registers the page template matched by pattern in fsys
// under name, with its title: it defines "content" and is rendered in the
// portal's layout by Request.Render(name, data) (the data is .Data).
func (r *Router) AddTemplate(name, title string, fsys fs.FS, pattern string) error {
	if err := r.s.tmpl.add(name, fsys, pattern); err != nil {
		return err
	}
	r.s.titles[name] = title
	return nil
}

// Request is one signed-in request as a handler sees it.
type Request struct {
	W http.ResponseWriter
	R *http.Request
	// User is the signed-in user; Scope what they may read.
	User  *store.User
	Scope store.Scope
	// ClientIP is the caller's address (audit entries carry it).
	ClientIP string
	s        *Server
	sess     *store.Session
}

// Render writes the page named name (a template of the portal, or of a
// Module added with Router.AddTemplate) with data.
func (q *Request) Render(name string, data any) error {
	return q.s.render(q, http.StatusOK, name, data)
}

// Audit writes a PHI audit entry for this request's user; a failure must
// fail the request (return the error before writing anything).
func (q *Request) Audit(action, entity, entityID, memberID, claimControl, detail string) error {
	return q.audit(q.s.st.Queries, action, entity, entityID, memberID, claimControl, detail)
}

// auditTx writes the audit entry of a change in the change's transaction.
func (q *Request) auditTx(tx *store.Tx, action, entity, entityID, memberID, claimControl, detail string) error {
	return q.audit(tx.Queries, action, entity, entityID, memberID, claimControl, detail)
}

func (q *Request) audit(db *store.Queries, action, entity, entityID, memberID, claimControl, detail string) error {
	return db.Audit(q.R.Context(), store.AuditEntry{
		Actor: "web", Action: action, Entity: entity, EntityID: entityID, Detail: detail,
		UserName: q.User.Username, ClientIP: q.ClientIP, MemberID: memberID, ClaimControl: claimControl,
	})
}

// Store is the portal's store.
func (q *Request) Store() *store.Store { return q.s.st }

// CSRF is the session's CSRF token, for forms a Module renders itself.
func (q *Request) CSRF() string { return q.sess.CSRFToken }

// errNotFound answers 404 (a row outside the caller's scope is not found).
var errNotFound = errors.New("not found")

// httpError is an error with a status and a message for the user.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{code: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// handle registers a signed-in route.
func (s *Server) handle(pattern string, h func(*Request) error, roles ...store.Role) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		q, ok := s.session(w, r)
		if !ok {
			return
		}
		if len(roles) > 0 && !hasRole(q.User.Role, roles) {
			// A route the role may not use does not exist for it.
			s.fail(q, errNotFound)
			return
		}
		if r.Method == http.MethodPost && !auth.TokensEqual(r.PostFormValue("csrf"), q.sess.CSRFToken) {
			s.fail(q, &httpError{code: http.StatusForbidden, msg: "The form expired or did not come from this site. Go back, reload the page and try again."})
			return
		}
		if err := h(q); err != nil {
			s.fail(q, err)
		}
	})
}

func hasRole(r store.Role, roles []store.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// session loads the request's session and user, checks the account and
// slides the session's expiry; it redirects to the login page (and
// returns false) when there is no usable session.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (*Request, bool) {
	ctx := r.Context()
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		s.toLogin(w, r)
		return nil, false
	}
	hash := auth.HashToken(c.Value)
	sess, err := s.st.GetSession(ctx, hash)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return nil, false
		}
		s.clearSession(w)
		s.toLogin(w, r)
		return nil, false
	}
	u, err := s.st.GetUser(ctx, sess.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	if err := s.usable(u); err != nil {
		_ = s.st.DeleteSession(ctx, hash)
		s.clearSession(w)
		s.toLogin(w, r)
		return nil, false
	}
	q := &Request{W: w, R: r, User: u, Scope: u.Scope(), ClientIP: s.clientIP(r), s: s, sess: sess}
	if sess.MFAPending && r.URL.Path != "/login/totp" && r.URL.Path != "/logout" {
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
		return nil, false
	}
	now := s.cfg.Now()
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.st.TouchSession(ctx, hash, now.Add(s.cfg.SessionIdle)); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return nil, false
		}
	}
	return q, true
}

// usable refuses locked, disabled and expired accounts.
func (s *Server) usable(u *store.User) error {
	switch {
	case u.LockedAt != nil:
		return errLocked
	case u.DisabledAt != nil:
		return errDisabled
	case u.Expired(s.cfg.Now(), auth.AccessValidity):
		return errExpired
	}
	return nil
}

func (s *Server) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		Secure: !s.cfg.InsecureCookies, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) clearSession(w http.ResponseWriter) { s.setCookie(w, sessionCookie, "", -1) }

// clientIP is the address audit entries and login attempts record.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			first, _, _ := strings.Cut(f, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// fail writes the error page of err.
func (s *Server) fail(q *Request, err error) {
	var he *httpError
	switch {
	case errors.Is(err, errNotFound), errors.Is(err, store.ErrNotFound):
		_ = s.render(q, http.StatusNotFound, "error", errorPage{Title: "Not found", Message: "There is no such page, or it is not yours to see."})
	case errors.As(err, &he):
		_ = s.render(q, he.code, "error", errorPage{Title: http.StatusText(he.code), Message: he.msg})
	case errors.Is(err, store.ErrInvalid):
		_ = s.render(q, http.StatusBadRequest, "error", errorPage{Title: "Bad request", Message: err.Error()})
	default:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			_ = s.render(q, http.StatusRequestEntityTooLarge, "error", errorPage{Title: "Too large", Message: fmt.Sprintf("The request is over the limit of %d bytes.", mbe.Limit)})
			return
		}
		s.log.ErrorContext(q.R.Context(), "portal request failed", slog.String("method", q.R.Method),
			slog.String("route", q.R.Pattern), slog.String("error", err.Error()))
		_ = s.render(q, http.StatusInternalServerError, "error", errorPage{Title: "Something went wrong", Message: "The request failed and nothing was shown. Try again; if it keeps failing, tell the clearinghouse."})
	}
}

// serverError answers 500 outside a signed-in request.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "portal request failed", slog.String("route", r.Pattern), slog.String("error", err.Error()))
	http.Error(w, "internal error", http.StatusInternalServerError)
}

type errorPage struct{ Title, Message string }
