package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/web/auth"
)

// clock is a settable test clock shared by the store and the portal.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const testPassword = "correct horse battery staple"

// fixture is a portal over a store holding two tenants' data:
// acme (files, an accepted, a rejected and a suspect claim) and beta (a
// file, a claim and a failed delivery).
type fixture struct {
	t     testing.TB
	st    *store.Store
	srv   *Server
	clk   *clock
	sp    *spool.Spool
	users map[string]*store.User
	// files and claims by name: "acme", "beta"; "A1", "A2", "A3", "B1".
	files  map[string]*store.InboundFile
	claims map[string]*store.Claim
	// outbound is beta's failed delivery.
	outbound  *store.OutboundFile
	processed []int64
}

func newFixture(t testing.TB, url string) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
	st := dbtest.Open(t, store.Config{URL: url, Now: clk.Now})
	sp, err := spool.New(filepath.Join(t.TempDir(), "spool"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, clk: clk, sp: sp, users: map[string]*store.User{},
		files: map[string]*store.InboundFile{}, claims: map[string]*store.Claim{}}
	srv, err := New(Config{
		Store: st, Spool: sp, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil)),
		Process: func(_ context.Context, id int64) error { f.processed = append(f.processed, id); return nil },
		Jobs:    []Job{{Name: "poll", Spec: "@every 5m"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []store.User{
		{Username: "admin", Role: store.RoleAdmin},
		{Username: "oper", Role: store.RoleOperator},
		{Username: "acme-admin", Role: store.RoleProviderAdmin, PartnerID: "acme"},
		{Username: "acme-user", Role: store.RoleProviderUser, PartnerID: "acme"},
		{Username: "acme-npi", Role: store.RoleProviderUser, PartnerID: "acme", NPIs: []string{"1111111112"}},
		{Username: "beta-user", Role: store.RoleProviderUser, PartnerID: "beta"},
	} {
		u.PasswordHash = string(hash)
		got, err := st.CreateUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		f.users[u.Username] = got
	}
	for _, p := range []string{"acme", "beta"} {
		sf, err := sp.PutBytes(ctx, "inbound", []byte("file of "+p))
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: p, Name: p + "-837p.x12", SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
		if err != nil {
			t.Fatal(err)
		}
		f.files[p] = rec
	}
	mk := func(name, partner string, state store.ClaimState, reasons, related string) {
		in := f.files[partner]
		c := &store.Claim{
			InboundFileID: in.ID, PartnerID: partner, ControlNumber: "CH" + name, CLM01: "PCN-" + name,
			ClaimType: "P", Frequency: "1", State: state, Reasons: reasons, RelatedControl: related, BilledCents: 12500,
			PayerID: "PAYER01", BillingNPI: "1234567893", BillingTIN: "990000001",
			MemberID: "ZZM-" + name, PatientLast: "TESTPATIENT", PatientFirst: "ALEX", PatientDOB: "19800101",
			ServiceFrom: "20260210", ServiceTo: "20260210", Fingerprint: "fp-" + name, SuspectKey: "sk-" + name,
			Lines: []store.ClaimLine{{LineNo: 1, Code: "A0428", Units: 1000, UnitType: "UN", ChargeCents: 12500, ServiceFrom: "20260210"}},
		}
		if err := st.InsertClaim(ctx, c); err != nil {
			t.Fatal(err)
		}
		f.claims[name] = c
	}
	mk("A1", "acme", store.ClaimAccepted, "A2:20", "")
	mk("A2", "acme", store.ClaimRejected, "A7:164:IL", "")
	mk("A3", "acme", store.ClaimSuspect, "A2:20", "CHA1")
	mk("B1", "beta", store.ClaimAccepted, "A2:20", "")
	ob, _, err := st.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: "beta", Kind: "999", Name: "999-beta.x12", SpoolPath: "/nowhere", SHA256: strings.Repeat("a", 64)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.ClaimOutbound(ctx, "test", time.Minute, "")
	if err != nil || got.ID != ob.ID {
		t.Fatalf("ClaimOutbound = %v, %v", got, err)
	}
	if err := st.MarkOutboundFailed(ctx, ob.ID, "test", "connection refused", time.Time{}); err != nil {
		t.Fatal(err)
	}
	f.outbound = ob
	return f
}

// testLog sends the portal's logs to the test's.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// client is one browser: a cookie jar against the fixture's server.
type client struct {
	f       *fixture
	cookies map[string]*http.Cookie
	csrf    string
	ip      string
}

func (f *fixture) client() *client {
	return &client{f: f, cookies: map[string]*http.Cookie{}, ip: "192.0.2.10"}
}

// as returns a client signed in as user (a session made directly in the
// store: the login flow has tests of its own).
func (f *fixture) as(user string) *client {
	f.t.Helper()
	c := f.client()
	tok, _ := auth.NewToken()
	csrf, _ := auth.NewToken()
	if err := f.st.CreateSession(context.Background(), store.Session{TokenHash: auth.HashToken(tok), UserID: f.users[user].ID,
		CSRFToken: csrf, ExpiresAt: f.clk.Now().Add(time.Hour)}); err != nil {
		f.t.Fatal(err)
	}
	c.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: tok}
	c.csrf = csrf
	return c
}

func (c *client) do(req *http.Request) *httptest.ResponseRecorder {
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	req.RemoteAddr = c.ip + ":5555"
	rec := httptest.NewRecorder()
	c.f.srv.ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return rec
}

func (c *client) get(path string) *httptest.ResponseRecorder {
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// post sends a form; the session's CSRF token is added unless form has
// one.
func (c *client) post(path string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login goes through the sign-in form.
func (c *client) login(user, password string) *httptest.ResponseRecorder {
	page := c.get("/login")
	m := csrfRE.FindStringSubmatch(page.Body.String())
	if m == nil {
		c.f.t.Fatalf("no csrf on the login page: %s", page.Body)
	}
	rec := c.post("/login", url.Values{"csrf": {m[1]}, "username": {user}, "password": {password}})
	if rec.Code == http.StatusSeeOther {
		if next := c.get("/files"); next.Code == http.StatusOK {
			if m := csrfRE.FindStringSubmatch(next.Body.String()); m != nil {
				c.csrf = m[1]
			}
		}
	}
	return rec
}

func (c *client) upload(partner, name string, content []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", c.csrf)
	if partner != "" {
		mw.WriteField("partner", partner)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/files/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

var allUsers = []string{"admin", "oper", "acme-admin", "acme-user", "acme-npi", "beta-user"}

// TestRoutesByRole requests every route as every role, including the
// cross-tenant cases: another partner's file or claim by URL is 404.
func TestRoutesByRole(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) { testRoutesByRole(t, be.URL(t)) })
	}
}

func testRoutesByRole(t *testing.T, url string) {
	f := newFixture(t, url)
	id := func(name string) string { return fmt.Sprint(f.files[name].ID) }
	const (
		ok  = http.StatusOK
		see = http.StatusSeeOther
		nf  = http.StatusNotFound
	)
	type want map[string]int // user → status
	every := func(code int) want {
		w := want{}
		for _, u := range allUsers {
			w[u] = code
		}
		return w
	}
	ops := func(opsCode, others int) want {
		w := every(others)
		w["admin"], w["oper"] = opsCode, opsCode
		return w
	}
	cases := []struct {
		method, path string
		want         want
		// body, when set, must appear in a 200 page.
		body string
	}{
		{"GET", "/", every(see), ""},
		{"GET", "/files", every(ok), ""},
		{"GET", "/files/" + id("acme"), want{"admin": ok, "oper": ok, "acme-admin": ok, "acme-user": ok, "acme-npi": ok, "beta-user": nf}, "acme-837p.x12"},
		{"GET", "/files/" + id("beta"), want{"admin": ok, "oper": ok, "acme-admin": nf, "acme-user": nf, "acme-npi": nf, "beta-user": ok}, "beta-837p.x12"},
		{"GET", "/files/999999", every(nf), ""},
		{"GET", "/files/abc", every(nf), ""},
		{"GET", "/claims", every(ok), ""},
		{"GET", "/claims/CHA1", want{"admin": ok, "oper": ok, "acme-admin": ok, "acme-user": ok, "acme-npi": nf, "beta-user": nf}, "TESTPATIENT"},
		{"GET", "/claims/CHB1", want{"admin": ok, "oper": ok, "acme-admin": nf, "acme-user": nf, "acme-npi": nf, "beta-user": ok}, "TESTPATIENT"},
		{"GET", "/claims/CHNONE", every(nf), ""},
		{"GET", "/queue", ops(ok, nf), "CHA3"},
		{"GET", "/deliveries", ops(ok, nf), "999-beta.x12"},
		{"GET", "/schedules", ops(ok, nf), "@every 5m"},
		{"GET", "/audit", ops(ok, nf), ""},
		{"GET", "/users", want{"admin": ok, "oper": nf, "acme-admin": ok, "acme-user": nf, "acme-npi": nf, "beta-user": nf}, "acme-user"},
		{"GET", "/static/style.css", every(ok), ""},
		{"GET", "/account", every(ok), "Access until"},
		{"GET", "/login/totp", every(see), ""},
		{"POST", "/files/" + id("acme") + "/reprocess", ops(see, nf), ""},
		{"POST", "/queue/CHNONE/release", ops(nf, nf), ""},
		{"POST", "/queue/CHA1/frobnicate", ops(nf, nf), ""},
		{"POST", "/queue/CHA1/release", ops(http.StatusConflict, nf), ""},
		{"POST", fmt.Sprintf("/deliveries/%d/retry", 999999), ops(nf, nf), ""},
		{"POST", "/users", want{"admin": http.StatusBadRequest, "oper": nf, "acme-admin": nf, "acme-user": nf, "acme-npi": nf, "beta-user": nf}, ""},
		{"POST", fmt.Sprintf("/users/%d/unlock", f.users["beta-user"].ID), want{"admin": see, "oper": nf, "acme-admin": nf, "acme-user": nf, "acme-npi": nf, "beta-user": nf}, ""},
		{"POST", fmt.Sprintf("/users/%d/unlock", f.users["acme-user"].ID), want{"admin": see, "oper": nf, "acme-admin": see, "acme-user": nf, "acme-npi": nf, "beta-user": nf}, ""},
		{"POST", fmt.Sprintf("/users/%d/password", f.users["acme-user"].ID), want{"admin": http.StatusBadRequest, "oper": nf, "acme-admin": nf, "acme-user": nf, "acme-npi": nf, "beta-user": nf}, ""},
		{"POST", fmt.Sprintf("/users/%d/explode", f.users["acme-user"].ID), want{"admin": nf, "oper": nf, "acme-admin": nf, "acme-user": nf, "acme-npi": nf, "beta-user": nf}, ""},
	}
	for _, tc := range cases {
		for _, u := range allUsers {
			wantCode, listed := tc.want[u]
			if !listed {
				t.Fatalf("%s %s: no expectation for %s", tc.method, tc.path, u)
			}
			c := f.as(u)
			var rec *httptest.ResponseRecorder
			if tc.method == "GET" {
				rec = c.get(tc.path)
			} else {
				rec = c.post(tc.path, nil)
			}
			if rec.Code != wantCode {
				t.Errorf("%s %s as %s: %d, want %d\n%s", tc.method, tc.path, u, rec.Code, wantCode, snippet(rec.Body.String()))
				continue
			}
			if wantCode == ok && tc.body != "" && !strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("%s %s as %s: page lacks %q", tc.method, tc.path, u, tc.body)
			}
		}
	}
	// Signed out, every page sends to the sign-in form.
	anon := f.client()
	for _, p := range []string{"/", "/files", "/claims/CHA1", "/audit", "/users"} {
		if rec := anon.get(p); rec.Code != see || rec.Header().Get("Location") != "/login" {
			t.Errorf("GET %s signed out: %d %s", p, rec.Code, rec.Header().Get("Location"))
		}
	}
	if rec := anon.post("/queue/CHA3/release", nil); rec.Code != http.StatusUnauthorized {
		t.Errorf("POST signed out: %d", rec.Code)
	}
	if c, err := f.st.GetClaimByControl(context.Background(), "CHA3"); err != nil || c.State != store.ClaimSuspect {
		t.Errorf("suspect claim changed by refused requests: %v %v", c, err)
	}
}

func snippet(s string) string {
	if i := strings.Index(s, "<main>"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 400 {
		s = s[:400]
	}
	return s
}

// TestListsAreScoped checks what the list pages show each tenant.
func TestListsAreScoped(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	cases := []struct {
		user, path string
		has, lacks []string
	}{
		{"acme-user", "/files", []string{"acme-837p.x12"}, []string{"beta-837p.x12"}},
		{"beta-user", "/files", []string{"beta-837p.x12"}, []string{"acme-837p.x12"}},
		{"oper", "/files", []string{"acme-837p.x12", "beta-837p.x12"}, nil},
		{"acme-user", "/claims", []string{"CHA1", "CHA2", "CHA3"}, []string{"CHB1"}},
		{"acme-user", "/claims?partner=beta", nil, []string{"CHB1", "CHA1"}},
		{"acme-npi", "/claims", nil, []string{"CHA1", "CHB1"}},
		{"acme-user", "/claims?control=CHB1", nil, []string{`href="/claims/CHB1"`}},
		{"admin", "/claims?state=rejected", []string{"CHA2"}, []string{"CHA1", "CHB1"}},
		{"admin", "/claims?clm01=PCN-B1", []string{"CHB1"}, []string{"CHA1"}},
		{"admin", "/claims?from=2026-02-11", nil, []string{"CHA1"}},
		{"admin", "/claims?from=2026-02-10&to=2026-02-10", []string{"CHA1", "CHB1"}, nil},
		{"admin", fmt.Sprintf("/claims?file=%d", f.files["beta"].ID), []string{`href="/claims/CHB1"`}, []string{`href="/claims/CHA1"`}},
		{"acme-user", fmt.Sprintf("/claims?file=%d", f.files["beta"].ID), nil, []string{`href="/claims/CHB1"`}},
		{"acme-admin", "/users", []string{"acme-user", "acme-npi"}, []string{"beta-user", ">admin<"}},
		{"admin", "/users", []string{"acme-user", "beta-user", "oper"}, nil},
	}
	for _, tc := range cases {
		rec := f.as(tc.user).get(tc.path)
		if rec.Code != http.StatusOK {
			t.Errorf("%s %s: %d", tc.user, tc.path, rec.Code)
			continue
		}
		body := rec.Body.String()
		for _, s := range tc.has {
			if !strings.Contains(body, s) {
				t.Errorf("%s %s: lacks %q", tc.user, tc.path, s)
			}
		}
		for _, s := range tc.lacks {
			if strings.Contains(body, s) {
				t.Errorf("%s %s: shows %q", tc.user, tc.path, s)
			}
		}
	}
	if rec := f.as("admin").get("/claims?from=20260211x"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad date: %d", rec.Code)
	}
}

// TestSecurityHeaders checks the headers of pages and assets.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	c := f.as("acme-user")
	for _, p := range []string{"/claims/CHA1", "/login", "/files/999999"} {
		rec := c.get(p)
		h := rec.Header()
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s: CSP %q", p, h.Get("Content-Security-Policy"))
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", p, h)
		}
	}
	if cc := c.get("/static/style.css").Header().Get("Cache-Control"); cc == "no-store" {
		t.Errorf("static asset not cacheable")
	}
	rec := f.client().get("/login")
	var ck *http.Cookie
	for _, x := range rec.Result().Cookies() {
		if x.Name == loginCookie {
			ck = x
		}
	}
	if ck == nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Fatalf("login cookie %+v", ck)
	}
	// The session cookie too.
	rec = f.client().login("acme-user", testPassword)
	var sc *http.Cookie
	for _, x := range rec.Result().Cookies() {
		if x.Name == sessionCookie {
			sc = x
		}
	}
	if sc == nil || !sc.Secure || !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v", sc)
	}
	// The store keeps only the token's hash.
	if _, err := f.st.GetSession(context.Background(), sc.Value); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session found by the raw token: %v", err)
	}
	if _, err := f.st.GetSession(context.Background(), auth.HashToken(sc.Value)); err != nil {
		t.Fatalf("session by hash: %v", err)
	}
	// A request body over the limit is refused.
	big := url.Values{"csrf": {c.csrf}, "x": {strings.Repeat("x", 2<<20)}}
	if rec := c.post("/users", big); rec.Code != http.StatusNotFound && rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("large body: %d", rec.Code)
	}
	a := f.as("admin")
	big.Set("csrf", a.csrf)
	if rec := a.post("/users", big); rec.Code != http.StatusForbidden && rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("large body as admin: %d", rec.Code)
	}
}

// TestCSRF checks that every POST needs the session's token.
func TestCSRF(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	c := f.as("oper")
	for _, bad := range []url.Values{{"csrf": {""}}, {"csrf": {"forged"}}, {"csrf": {f.as("admin").csrf}}} {
		rec := c.post("/queue/CHA3/release", bad)
		if rec.Code != http.StatusForbidden {
			t.Errorf("csrf %q: %d, want 403", bad.Get("csrf"), rec.Code)
		}
	}
	if cl, _ := f.st.GetClaimByControl(context.Background(), "CHA3"); cl.State != store.ClaimSuspect {
		t.Fatalf("claim changed without a CSRF token: %s", cl.State)
	}
	// The login form needs its double-submit token.
	anon := f.client()
	anon.get("/login")
	rec := anon.post("/login", url.Values{"csrf": {"forged"}, "username": {"admin"}, "password": {testPassword}})
	if rec.Code != http.StatusForbidden {
		t.Errorf("login with a forged token: %d", rec.Code)
	}
	// An upload without the token is refused before the file is read.
	c.csrf = "forged"
	if rec := c.upload("acme", "x.x12", []byte("ISA")); rec.Code != http.StatusForbidden {
		t.Errorf("upload with a forged token: %d", rec.Code)
	}
}

// TestLoginLockoutAndExpiry goes through the sign-in form: three wrong
// passwords lock the account (until an admin unlocks it), expired and
// disabled accounts are refused, a live session of an expired user ends.
func TestLoginLockoutAndExpiry(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	c := f.client()
	if rec := c.login("acme-user", testPassword); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Fatalf("good login: %d %s", rec.Code, snippet(rec.Body.String()))
	}
	if rec := c.get("/files"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "acme-user") {
		t.Fatalf("after login: %d", rec.Code)
	}
	if rec := c.post("/logout", nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("logout: %d", rec.Code)
	}
	if rec := c.get("/files"); rec.Code != http.StatusSeeOther {
		t.Fatalf("after logout: %d", rec.Code)
	}

	bad := f.client()
	for i := 1; i <= 3; i++ {
		rec := bad.login("acme-user", "wrong password!!")
		want, msg := http.StatusUnauthorized, "Wrong username or password"
		if i == 3 {
			want, msg = http.StatusForbidden, "locked"
		}
		if rec.Code != want || !strings.Contains(rec.Body.String(), msg) {
			t.Fatalf("bad password %d: %d, want %d with %q", i, rec.Code, want, msg)
		}
	}
	if rec := bad.login("acme-user", testPassword); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "locked") {
		t.Fatalf("right password on a locked account: %d", rec.Code)
	}
	// An unknown user says what a wrong password says.
	if rec := bad.login("nobody", testPassword); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "Wrong username or password") {
		t.Fatalf("unknown user: %d", rec.Code)
	}
	// The provider admin unlocks.
	if rec := f.as("acme-admin").post(fmt.Sprintf("/users/%d/unlock", f.users["acme-user"].ID), nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("unlock: %d", rec.Code)
	}
	if rec := bad.login("acme-user", testPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("login after unlock: %d", rec.Code)
	}

	// Day 179 of the access period: still in. Day 180: refused, and a
	// live session ends.
	f.clk.Advance(180*24*time.Hour - time.Minute)
	live := f.client()
	if rec := live.login("beta-user", testPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("day 179 login: %d", rec.Code)
	}
	if rec := live.get("/files"); rec.Code != http.StatusOK {
		t.Fatalf("day 179: %d", rec.Code)
	}
	f.clk.Advance(2 * time.Minute)
	if rec := live.get("/files"); rec.Code != http.StatusSeeOther {
		t.Fatalf("day 180 session: %d", rec.Code)
	}
	if rec := f.client().login("beta-user", testPassword); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "expired") {
		t.Fatalf("day 180 login: %d", rec.Code)
	}
	// A failed login of an expired account is not a wrong password.
	if u, _ := f.st.GetUser(ctx, f.users["beta-user"].ID); u.FailedLogins != 0 {
		t.Fatalf("expired login counted as failure: %d", u.FailedLogins)
	}
	if err := f.st.RenewUser(ctx, f.users["beta-user"].ID, "admin"); err != nil {
		t.Fatal(err)
	}
	if rec := f.client().login("beta-user", testPassword); rec.Code != http.StatusSeeOther {
		t.Fatalf("after renewal: %d", rec.Code)
	}
	if err := f.st.DisableUser(ctx, f.users["oper"].ID, "test"); err != nil {
		t.Fatal(err)
	}
	if rec := f.client().login("oper", testPassword); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "disabled") {
		t.Fatalf("disabled login: %d", rec.Code)
	}
}

// TestTOTPLogin checks the second factor: a session waits for the code,
// a code is used once, wrong codes count toward the lockout.
func TestTOTPLogin(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	secret, _ := auth.NewTOTPSecret()
	if err := f.st.SetUserTOTP(ctx, f.users["admin"].ID, secret); err != nil {
		t.Fatal(err)
	}
	c := f.client()
	rec := c.login("admin", testPassword)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login/totp" {
		t.Fatalf("password step: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if rec := c.get("/files"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login/totp" {
		t.Fatalf("pages before the code: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	page := c.get("/login/totp")
	c.csrf = csrfRE.FindStringSubmatch(page.Body.String())[1]
	if rec := c.post("/login/totp", url.Values{"code": {"000000"}}); rec.Code != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d", rec.Code)
	}
	code, _ := auth.TOTPCode(secret, f.clk.Now())
	if rec := c.post("/login/totp", url.Values{"code": {code}}); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
		t.Fatalf("right code: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	if rec := c.get("/audit"); rec.Code != http.StatusOK {
		t.Fatalf("after the code: %d", rec.Code)
	}
	// The same code again (replay) fails.
	c2 := f.client()
	c2.login("admin", testPassword)
	c2.csrf = csrfRE.FindStringSubmatch(c2.get("/login/totp").Body.String())[1]
	if rec := c2.post("/login/totp", url.Values{"code": {code}}); rec.Code != http.StatusUnauthorized {
		t.Fatalf("replayed code: %d", rec.Code)
	}
	// That was failure 1 after the success; two more lock.
	c2.post("/login/totp", url.Values{"code": {"111111"}})
	rec = c2.post("/login/totp", url.Values{"code": {"222222"}})
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "locked") {
		t.Fatalf("third wrong code: %d", rec.Code)
	}
	if u, _ := f.st.GetUser(ctx, f.users["admin"].ID); u.LockedAt == nil {
		t.Fatal("not locked after 3 wrong codes")
	}
}

// TestPHIAudit checks that pages with claim data write an audit entry
// with the user, member, claim and IP, and that a failed audit write
// fails the request without showing the data.
func TestPHIAudit(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	c := f.as("acme-user")
	if rec := c.get("/claims/CHA1"); rec.Code != http.StatusOK {
		t.Fatal(rec.Code)
	}
	es, err := f.st.ListAudit(ctx, store.AuditFilter{MemberID: "ZZM-A1"})
	if err != nil || len(es) != 1 {
		t.Fatalf("who saw ZZM-A1: %v %v", es, err)
	}
	e := es[0]
	if e.UserName != "acme-user" || e.ClientIP != "192.0.2.10" || e.ClaimControl != "CHA1" || e.Action != "claim.view" {
		t.Fatalf("audit entry %+v", e)
	}
	// The audit page answers both questions.
	a := f.as("admin")
	if rec := a.get("/audit?member=ZZM-A1"); !strings.Contains(rec.Body.String(), "acme-user") {
		t.Fatalf("who saw member: %s", snippet(rec.Body.String()))
	}
	if rec := a.get("/audit?user=acme-user"); !strings.Contains(rec.Body.String(), "CHA1") {
		t.Fatalf("what did user see: %s", snippet(rec.Body.String()))
	}
	// Audit writes that fail fail the request: drop the table under the
	// portal.
	if _, err := f.st.DB().ExecContext(ctx, `DROP TABLE audit_log`); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/claims/CHA1", "/files/" + fmt.Sprint(f.files["acme"].ID), "/claims"} {
		rec := c.get(p)
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("%s with a broken audit log: %d", p, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "TESTPATIENT") || strings.Contains(rec.Body.String(), "PCN-A") {
			t.Errorf("%s showed claim data without an audit entry", p)
		}
	}
}

// TestOperatorActions works the duplicate queue, retries a delivery and
// reprocesses a file, each audited.
func TestOperatorActions(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	c := f.as("oper")
	if rec := c.post("/queue/CHA3/release", nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("release: %d %s", rec.Code, snippet(rec.Body.String()))
	}
	cl, _ := f.st.GetClaimByControl(ctx, "CHA3")
	if cl.State != store.ClaimAccepted || !strings.Contains(cl.Notes, "released-by-operator") {
		t.Fatalf("released claim: %s %q", cl.State, cl.Notes)
	}
	if rec := c.post("/queue/CHA3/duplicate", nil); rec.Code != http.StatusConflict {
		t.Fatalf("decide twice: %d", rec.Code)
	}
	// Another suspect, marked a duplicate.
	if err := f.st.UpdateClaimState(ctx, f.claims["B1"].ID, store.ClaimSuspect, "A2:20"); err != nil {
		t.Fatal(err)
	}
	if rec := c.post("/queue/CHB1/duplicate", nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("mark duplicate: %d", rec.Code)
	}
	if cl, _ := f.st.GetClaimByControl(ctx, "CHB1"); cl.State != store.ClaimDuplicate {
		t.Fatalf("marked claim: %s", cl.State)
	}
	es, _ := f.st.ListAudit(ctx, store.AuditFilter{UserName: "oper"})
	actions := map[string]bool{}
	for _, e := range es {
		actions[e.Action] = true
	}
	if !actions["claim.release"] || !actions["claim.mark_duplicate"] {
		t.Fatalf("queue decisions not audited: %v", actions)
	}
	// Delivery retry.
	if rec := c.post(fmt.Sprintf("/deliveries/%d/retry", f.outbound.ID), nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("retry: %d", rec.Code)
	}
	if ob, _ := f.st.GetOutbound(ctx, f.outbound.ID); ob.State != store.OutboundPending {
		t.Fatalf("retried delivery: %s", ob.State)
	}
	// Reprocess: the file is reset and handed to the processor.
	f.processed = nil
	if rec := c.post(fmt.Sprintf("/files/%d/reprocess", f.files["acme"].ID), nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("reprocess: %d", rec.Code)
	}
	if len(f.processed) != 1 || f.processed[0] != f.files["acme"].ID {
		t.Fatalf("processed %v", f.processed)
	}
	es, _ = f.st.ListAudit(ctx, store.AuditFilter{Action: "inbound.reprocess"})
	if len(es) != 1 || es[0].UserName != "oper" {
		t.Fatalf("reprocess audit: %+v", es)
	}
}

// TestUpload sends files through the upload form: recorded for the
// user's partner (an operator picks one), once per content.
func TestUpload(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	c := f.as("acme-user")
	content := []byte("ISA*00*          *00*          *ZZ*ACMEMED        *ZZ*CLEARINGHOUSE  *261120*1200*^*00501*000000999*0*P*:~")
	rec := c.upload("beta", `C:\Users\billing\claims 0301.x12`, content)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, snippet(rec.Body.String()))
	}
	sum := sha256.Sum256(content)
	files, _ := f.st.ListInbound(ctx, store.ListOpts{PartnerID: "acme"})
	var got *store.InboundFile
	for i := range files {
		if files[i].SHA256 == hex.EncodeToString(sum[:]) {
			got = &files[i]
		}
	}
	if got == nil {
		t.Fatal("upload not recorded for acme (a provider cannot upload as another partner)")
	}
	if got.Name != "claims 0301.x12" && got.Name != "claims_0301.x12" {
		t.Logf("stored name %q", got.Name)
	}
	if rec.Header().Get("Location") != fmt.Sprintf("/files/%d?done=processed", got.ID) {
		t.Fatalf("redirect %s", rec.Header().Get("Location"))
	}
	if b, err := os.ReadFile(got.SpoolPath); err != nil || !bytes.Equal(b, content) {
		t.Fatalf("spooled copy: %v", err)
	}
	// The same content again: not processed twice.
	f.processed = nil
	rec = c.upload("", "again.x12", content)
	if rec.Header().Get("Location") != fmt.Sprintf("/files/%d?done=duplicate", got.ID) || len(f.processed) != 0 {
		t.Fatalf("second upload: %s, processed %v", rec.Header().Get("Location"), f.processed)
	}
	// An operator chooses the partner; an unknown partner is refused.
	op := f.as("oper")
	if rec := op.upload("nosuch", "x.x12", []byte("other")); rec.Code != http.StatusBadRequest {
		t.Fatalf("unknown partner: %d", rec.Code)
	}
	if rec := op.upload("beta", "x.x12", []byte("for beta")); rec.Code != http.StatusSeeOther {
		t.Fatalf("operator upload: %d", rec.Code)
	}
	if fs, _ := f.st.ListInbound(ctx, store.ListOpts{PartnerID: "beta"}); len(fs) != 2 {
		t.Fatalf("beta files: %d", len(fs))
	}
	if rec := c.upload("", "empty.x12", nil); rec.Code != http.StatusBadRequest {
		t.Fatalf("empty upload: %d", rec.Code)
	}
	if rec := c.upload("", "..", []byte("x")); rec.Code != http.StatusBadRequest {
		t.Fatalf("bad name: %d", rec.Code)
	}
}

// TestUserAdmin creates a user, resets a password and renews access
// through the users page.
func TestUserAdmin(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	a := f.as("admin")
	rec := a.post("/users", url.Values{"username": {"new-user"}, "role": {"provider-user"}, "partner": {"acme"},
		"npis": {"1234567893, 1111111112"}, "password": {"a long enough password"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, snippet(rec.Body.String()))
	}
	u, err := f.st.GetUserByName(ctx, "new-user")
	if err != nil || u.PartnerID != "acme" || len(u.NPIs) != 2 || !auth.VerifyPassword(u.PasswordHash, "a long enough password") {
		t.Fatalf("created %+v %v", u, err)
	}
	if rec := a.post("/users", url.Values{"username": {"new-user"}, "role": {"admin"}, "password": {"a long enough password"}}); rec.Code != http.StatusBadRequest {
		t.Fatalf("duplicate name: %d", rec.Code)
	}
	if rec := a.post(fmt.Sprintf("/users/%d/password", u.ID), url.Values{"password": {"another long password"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reset: %d", rec.Code)
	}
	if u, _ := f.st.GetUserByName(ctx, "new-user"); !auth.VerifyPassword(u.PasswordHash, "another long password") {
		t.Fatal("password not reset")
	}
	f.clk.Advance(100 * 24 * time.Hour)
	if rec := f.as("acme-admin").post(fmt.Sprintf("/users/%d/renew", u.ID), nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("renew: %d", rec.Code)
	}
	if u, _ := f.st.GetUserByName(ctx, "new-user"); !u.RenewedAt.Equal(f.clk.Now()) {
		t.Fatalf("renewed at %v", u.RenewedAt)
	}
	if rs, _ := f.st.ListRenewals(ctx, u.ID); len(rs) != 1 || rs[0].RenewedBy != "acme-admin" {
		t.Fatalf("renewals %+v", rs)
	}
	if rec := f.as("admin").post(fmt.Sprintf("/users/%d/disable", f.users["admin"].ID), nil); rec.Code != http.StatusBadRequest {
		t.Fatalf("disable self: %d", rec.Code)
	}
	if rec := f.as("acme-admin").post(fmt.Sprintf("/users/%d/disable", u.ID), nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("disable: %d", rec.Code)
	}
	if u, _ := f.st.GetUserByName(ctx, "new-user"); u.DisabledAt == nil {
		t.Fatal("not disabled")
	}
}

// TestChangePassword: users change their own password with the current
// one; a wrong current password counts toward the lockout.
func TestChangePassword(t *testing.T) {
	f := newFixture(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	c := f.client()
	c.login("acme-user", testPassword)
	other := f.client()
	other.login("acme-user", testPassword)
	cases := []struct {
		form url.Values
		code int
		msg  string
	}{
		{url.Values{"current": {"wrong password!!"}, "password": {"a new long password"}, "confirm": {"a new long password"}}, http.StatusUnauthorized, "current password is wrong"},
		{url.Values{"current": {testPassword}, "password": {"a new long password"}, "confirm": {"another one entirely"}}, http.StatusBadRequest, "differ"},
		{url.Values{"current": {testPassword}, "password": {"short"}, "confirm": {"short"}}, http.StatusBadRequest, "12 to 72"},
	}
	for _, tc := range cases {
		rec := c.post("/account/password", tc.form)
		if rec.Code != tc.code || !strings.Contains(rec.Body.String(), tc.msg) {
			t.Errorf("%v: %d, want %d with %q", tc.form, rec.Code, tc.code, tc.msg)
		}
	}
	if u, _ := f.st.GetUser(ctx, f.users["acme-user"].ID); u.FailedLogins != 1 {
		t.Errorf("failed logins %d, want 1", u.FailedLogins)
	}
	rec := c.post("/account/password", url.Values{"current": {testPassword}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("change: %d %s", rec.Code, snippet(rec.Body.String()))
	}
	if rec := c.get("/account"); rec.Code != http.StatusOK {
		t.Fatalf("this session after the change: %d", rec.Code)
	}
	if rec := other.get("/account"); rec.Code != http.StatusSeeOther {
		t.Fatalf("other session after the change: %d", rec.Code)
	}
	if rec := f.client().login("acme-user", "a new long password"); rec.Code != http.StatusSeeOther {
		t.Fatalf("login with the new password: %d", rec.Code)
	}
	if es, _ := f.st.ListAudit(ctx, store.AuditFilter{Action: "user.password_self"}); len(es) != 1 || es[0].UserName != "acme-user" {
		t.Fatalf("audit: %+v", es)
	}
}
