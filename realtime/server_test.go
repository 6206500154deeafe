package realtime_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/realtime"
)

// isa builds an interchange header from sender.
func isa(sender string) string {
	return "ISA*00*          *00*          *ZZ*" + pad(sender) + "*ZZ*" + pad("CLEARINGHOUSE") +
		"*261207*1200*^*00501*000000001*0*T*:~GS*HS*" + sender + "*CLEARINGHOUSE*20261207*1200*1*X*005010X279A1~"
}

func pad(s string) string { return s + strings.Repeat(" ", 15-len(s)) }

// echoResponder answers an interchange with a fixed payload naming the
// partner, and anything else with ErrNotX12.
type echoResponder struct{ calls int }

func (e *echoResponder) Respond(_ context.Context, req realtime.Request) (realtime.Answer, error) {
	e.calls++
	if !bytes.HasPrefix(req.Payload, []byte("ISA")) {
		return realtime.Answer{}, realtime.ErrNotX12
	}
	if req.PayloadType == realtime.PayloadType276 {
		return realtime.Answer{}, realtime.ErrUnsupported
	}
	return realtime.Answer{Payload: []byte("ANSWER FOR " + req.Partner), PayloadType: realtime.PayloadType271,
		Entity: "member", EntityID: "SYN1", Outcome: "EB:1"}, nil
}

type bundle struct {
	st        *store.Store
	url       string
	acme, zen string // secrets
	resp      *echoResponder
}

func setup(t *testing.T, tlsOn bool) *bundle {
	t.Helper()
	st := dbtest.Open(t, store.Config{URL: dbtest.SQLiteURL(t)})
	ctx := context.Background()
	b := &bundle{st: st, resp: &echoResponder{}}
	for _, p := range []struct {
		id     string
		secret *string
	}{{"acme", &b.acme}, {"zenith", &b.zen}} {
		s, err := realtime.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddPartnerCredential(ctx, p.id, store.HashSecret(s), "test"); err != nil {
			t.Fatal(err)
		}
		*p.secret = s
	}
	cfg := realtime.Config{Addr: "127.0.0.1:0", Auth: &realtime.StoreAuth{Lookup: st}, Responder: b.resp, Audit: st,
		SenderIDs: func(p string) []string {
			if p == "acme" {
				return []string{"ACMEMED"}
			}
			return nil
		}, MaxBody: 4096}
	scheme := "http"
	if tlsOn {
		cfg.TLSCert, cfg.TLSKey = selfSigned(t)
		scheme = "https"
	}
	srv, err := realtime.Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	b.url = scheme + "://" + srv.Addr().String() + realtime.Path
	return b
}

func client(t *testing.T) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // self-signed test certificate
}

type rawTest struct {
	name    string
	method  string
	ctype   string
	auth    func(b *bundle, r *http.Request)
	body    string
	status  int
	want    string // substring of the body
	refused string // the audit entry's "refused"
}

var rawTests = []rawTest{
	{name: "bearer token", auth: bearer, body: isa("ACMEMED"), status: 200, want: "ANSWER FOR acme"},
	{name: "basic auth", auth: func(b *bundle, r *http.Request) { r.SetBasicAuth("acme", b.acme) }, body: isa("ACMEMED"), status: 200, want: "ANSWER FOR acme"},
	{name: "no credentials", auth: func(*bundle, *http.Request) {}, body: isa("ACMEMED"), status: 401, refused: "auth"},
	{name: "wrong token", auth: func(_ *bundle, r *http.Request) { r.Header.Set("Authorization", "Bearer chs_nope") }, body: isa("ACMEMED"), status: 401, refused: "auth"},
	{name: "basic auth as another partner", auth: func(b *bundle, r *http.Request) { r.SetBasicAuth("zenith", b.acme) }, body: isa("ACMEMED"), status: 401, refused: "auth"},
	{name: "asking as another sender", auth: bearer, body: isa("ZENITHCO"), status: 403, refused: "isa06"},
	{name: "partner without sender ids asks as itself", auth: func(b *bundle, r *http.Request) { r.Header.Set("Authorization", "Bearer "+b.zen) },
		body: isa("ZENITH"), status: 200, want: "ANSWER FOR zenith"},
	{name: "not x12", auth: bearer, body: "hello", status: 400, want: "not an X12"},
	{name: "too large", auth: bearer, body: isa("ACMEMED") + strings.Repeat("X", 5000), status: 413},
	{name: "GET", method: http.MethodGet, auth: bearer, status: 405},
	{name: "json body", ctype: "application/json", auth: bearer, body: "{}", status: 415},
}

func bearer(b *bundle, r *http.Request) { r.Header.Set("Authorization", "Bearer "+b.acme) }

func TestRaw(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		name := "http"
		if tlsOn {
			name = "https"
		}
		t.Run(name, func(t *testing.T) {
			b := setup(t, tlsOn)
			c := client(t)
			for _, tc := range rawTests {
				t.Run(tc.name, func(t *testing.T) {
					method := tc.method
					if method == "" {
						method = http.MethodPost
					}
					req, _ := http.NewRequest(method, b.url, strings.NewReader(tc.body))
					ctype := tc.ctype
					if ctype == "" {
						ctype = "application/edi-x12"
					}
					req.Header.Set("Content-Type", ctype)
					tc.auth(b, req)
					resp, err := c.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
						t.Fatalf("%d %q, want %d with %q", resp.StatusCode, body, tc.status, tc.want)
					}
					if tc.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
						t.Fatal("401 without WWW-Authenticate")
					}
					e := lastAudit(t, b.st)
					var d map[string]any
					if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
						t.Fatal(err)
					}
					if int(d["status"].(float64)) != tc.status || (tc.refused != "" && d["refused"] != tc.refused) {
						t.Fatalf("audit %+v, want status %d refused %q", e, tc.status, tc.refused)
					}
					if tc.status == 200 && (e.Actor == "realtime" || e.Entity != "member" || e.EntityID != "SYN1" || d["answer"] != "EB:1" ||
						d["request_sha256"] == "" || d["response_sha256"] == "") {
						t.Fatalf("audit of an answer: %+v", e)
					}
				})
			}
		})
	}
}

func lastAudit(t *testing.T, st *store.Store) store.AuditEntry {
	t.Helper()
	es, err := st.ListAudit(context.Background(), store.AuditFilter{Action: "realtime.inquiry", Limit: 1})
	if err != nil || len(es) != 1 {
		t.Fatalf("audit: %v %v", es, err)
	}
	return es[0]
}

type coreTest struct {
	name   string
	fields map[string]string // overrides; "-" removes
	auth   bool              // Authorization header (else UserName/Password)
	status int
	code   string
	answer string
}

var coreTests = []coreTest{
	{name: "270 with a bearer token", auth: true, status: 200, code: "Success", answer: "ANSWER FOR acme"},
	{name: "270 with UserName and Password", status: 200, code: "Success", answer: "ANSWER FOR acme"},
	{name: "wrong password", fields: map[string]string{"Password": "chs_nope"}, status: 401, code: "UnAuthorized"},
	{name: "batch mode", auth: true, fields: map[string]string{"ProcessingMode": "Batch"}, status: 400, code: "ProcessingModeNotSupported"},
	{name: "unknown payload type", auth: true, fields: map[string]string{"PayloadType": "X12_837_Request_005010X222A1"}, status: 400, code: "PayloadTypeNotSupported"},
	{name: "no payload id", auth: true, fields: map[string]string{"PayloadID": "-"}, status: 400, code: "PayloadIDRequired"},
	{name: "bad time stamp", auth: true, fields: map[string]string{"TimeStamp": "yesterday"}, status: 400, code: "TimeStampIncorrect"},
	{name: "rule version", auth: true, fields: map[string]string{"CORERuleVersion": "1.0.0"}, status: 400, code: "CORERuleVersionNotSupported"},
	{name: "sender id of another partner", auth: true, fields: map[string]string{"SenderID": "ZENITH"}, status: 403, code: "UnAuthorized"},
	{name: "payload of the wrong kind", auth: true, fields: map[string]string{"PayloadType": realtime.PayloadType276}, status: 400},
}

func TestCORE(t *testing.T) {
	b := setup(t, false)
	c := client(t)
	for _, tc := range coreTests {
		t.Run(tc.name, func(t *testing.T) {
			f := map[string]string{"PayloadType": realtime.PayloadType270, "ProcessingMode": "RealTime",
				"PayloadID": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "TimeStamp": "2026-12-07T10:20:34Z", "SenderID": "ACMEMED",
				"ReceiverID": "CLEARINGHOUSE", "CORERuleVersion": "2.2.0", "Payload": isa("ACMEMED")}
			if !tc.auth {
				f["UserName"], f["Password"] = "acme", b.acme
			}
			for k, v := range tc.fields {
				if v == "-" {
					delete(f, k)
				} else {
					f[k] = v
				}
			}
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for k, v := range f {
				_ = mw.WriteField(k, v)
			}
			mw.Close()
			req, _ := http.NewRequest(http.MethodPost, b.url, &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			if tc.auth {
				bearer(b, req)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got := readParts(t, resp)
			if resp.StatusCode != tc.status || (tc.code != "" && got["ErrorCode"] != tc.code) {
				t.Fatalf("%d %v, want %d %s", resp.StatusCode, got, tc.status, tc.code)
			}
			if got["PayloadID"] != f["PayloadID"] || got["SenderID"] != "CLEARINGHOUSE" {
				t.Fatalf("envelope not echoed: %v", got)
			}
			if tc.answer != "" && (got["Payload"] != tc.answer || got["PayloadType"] != realtime.PayloadType271 || got["ReceiverID"] != "ACMEMED") {
				t.Fatalf("answer %v", got)
			}
			if e := lastAudit(t, b.st); !strings.Contains(e.Detail, `"mode":"core"`) || !strings.Contains(e.Detail, f["PayloadID"]) {
				t.Fatalf("audit %+v", e)
			}
		})
	}
}

func readParts(t *testing.T, resp *http.Response) map[string]string {
	t.Helper()
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(resp.Body, params["boundary"])
	out := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		v, _ := io.ReadAll(p)
		out[p.FormName()] = string(v)
	}
}

// TestAuthUnavailable: a store that cannot be read answers 503, not 401.
func TestAuthUnavailable(t *testing.T) {
	st := dbtest.Open(t, store.Config{URL: dbtest.SQLiteURL(t)})
	h, err := realtime.New(realtime.Config{Auth: &realtime.StoreAuth{Lookup: failing{}}, Responder: &echoResponder{}, Audit: st})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(ln)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+realtime.Path, strings.NewReader(isa("ACMEMED")))
	req.Header.Set("Authorization", "Bearer x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
}

type failing struct{}

func (failing) PartnerOfSecret(context.Context, string) (string, error) {
	return "", io.ErrUnexpectedEOF
}

// selfSigned writes a certificate and key for 127.0.0.1.
func selfSigned(t *testing.T) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}
