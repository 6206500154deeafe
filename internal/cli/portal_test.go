package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

var passwordLine = regexp.MustCompile(`(?m)^password: (\S+)$`)

// addUser runs `user add` and returns the generated password.
func addUser(t *testing.T, dir string, args ...string) string {
	t.Helper()
	code, out, errOut := run(t, append([]string{"--data-dir", dir, "user", "add"}, args...)...)
	if code != 0 {
		t.Fatalf("user add %v: exit %d: %s", args, code, errOut)
	}
	m := passwordLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("user add printed no password: %s", out)
	}
	return m[1]
}

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	addUser(t, dir, "root", "--role", "admin")
	addUser(t, dir, "pat", "--role", "provider-user", "--partner", "acme", "--npi", "1234567893")
	code, out, _ := run(t, "--data-dir", dir, "user", "add", "tess", "--role", "operator", "--totp")
	if code != 0 || !strings.Contains(out, "totp uri: otpauth://totp/Clearinghouse:tess?") {
		t.Fatalf("user add --totp: %d %s", code, out)
	}
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"user", "add", "x1", "--role", "root"}, 2, "--role"},
		{[]string{"user", "add", "x1", "--role", "provider-user"}, 2, "--partner"},
		{[]string{"user", "add", "x1", "--role", "admin", "--partner", "acme"}, 2, "--partner"},
		{[]string{"user", "add", "Bad Name", "--role", "admin"}, 2, "username"},
		{[]string{"user", "add", "pat", "--role", "admin"}, 1, "exists"},
		{[]string{"user", "renew", "nobody"}, 1, "no user"},
		{[]string{"audit"}, 2, "exactly one"},
		{[]string{"audit", "--member", "M", "--user", "U"}, 2, "exactly one"},
	} {
		code, _, errOut := run(t, append([]string{"--data-dir", dir}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d %q, want %d with %q", tc.args, code, errOut, tc.code, tc.msg)
		}
	}
	for _, args := range [][]string{
		{"user", "disable", "pat", "--reason", "left"},
		{"user", "enable", "pat"},
		{"user", "unlock", "pat"},
		{"user", "renew", "pat", "--by", "root"},
		{"user", "password", "pat"},
		{"user", "totp", "tess", "--off"},
	} {
		if code, out, errOut := run(t, append([]string{"--data-dir", dir}, args...)...); code != 0 {
			t.Fatalf("%v: exit %d %s %s", args, code, out, errOut)
		}
	}
	code, out, _ = run(t, "--data-dir", dir, "user", "list", "--json")
	var users []userJSON
	if code != 0 || json.Unmarshal([]byte(out), &users) != nil || len(users) != 3 {
		t.Fatalf("user list --json: %d %s", code, out)
	}
	byName := map[string]userJSON{}
	for _, u := range users {
		byName[u.Username] = u
	}
	if p := byName["pat"]; p.Role != store.RoleProviderUser || p.PartnerID != "acme" || p.Status != "active" || len(p.NPIs) != 1 {
		t.Errorf("pat: %+v", p)
	}
	if byName["tess"].TOTP {
		t.Error("tess still has TOTP after --off")
	}
	if !strings.Contains(out, "access_until") || strings.Contains(out, "password_hash") || strings.Contains(out, "$2a$") {
		t.Errorf("user list leaks or lacks fields: %s", out)
	}
	code, out, _ = run(t, "--data-dir", dir, "user", "list")
	if code != 0 || !strings.Contains(out, "ACCESS UNTIL") || !strings.Contains(out, "pat") {
		t.Errorf("user list: %s", out)
	}
	// The audit log: the CLI's own user changes, and portal views.
	st, err := store.Open(context.Background(), "sqlite:"+dir+"/clearinghouse.db")
	if err != nil {
		t.Fatal(err)
	}
	err = st.Audit(context.Background(), store.AuditEntry{Actor: "web", Action: "claim.view", Entity: "claim", EntityID: "7",
		UserName: "pat", ClientIP: "192.0.2.7", MemberID: "ZZM000001", ClaimControl: "CH000000000007", At: time.Now()})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "--data-dir", dir, "audit", "--member", "ZZM000001")
	if code != 0 || !strings.Contains(out, "pat") || !strings.Contains(out, "192.0.2.7") || !strings.Contains(out, "CH000000000007") {
		t.Errorf("audit --member: %d %s", code, out)
	}
	code, out, _ = run(t, "--data-dir", dir, "audit", "--user", "pat", "--json")
	var es []store.AuditEntry
	if code != 0 || json.Unmarshal([]byte(out), &es) != nil || len(es) != 1 || es[0].MemberID != "ZZM000001" {
		t.Errorf("audit --user --json: %d %s", code, out)
	}
	if code, out, _ := run(t, "--data-dir", dir, "audit", "--user", "nobody", "--json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("audit of nobody: %d %q", code, out)
	}
}

var portalListening = regexp.MustCompile(`msg="portal listening" url=(http://\S+)`)

// TestRunServesPortal: with web.addr set, run serves the portal (and
// stops it at shutdown); plain HTTP beyond loopback is refused.
func TestRunServesPortal(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "clearinghouse.yaml")
	if err := os.WriteFile(cfgPath, []byte("web: {addr: \"127.0.0.1:0\"}\nschedules: {poll: \"\", deliver: \"\", nightly_report: \"\", roster_refresh: \"\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"--log-level", "info", "--config", cfgPath, "--data-dir", filepath.Join(dir, "var"), "run", "--grace", "5s"}, io.Discard, &stderr)
	}()
	var base string
	waitFor(t, "the portal", func() bool {
		select {
		case code := <-done:
			t.Fatalf("run exited %d:\n%s", code, stderr.String())
		default:
		}
		if m := portalListening.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			return true
		}
		return false
	})
	code, body, err := httpGet(base + "/login")
	if err != nil || code != 200 || !strings.Contains(body, `id="signin"`) {
		t.Fatalf("/login = %d %v", code, err)
	}
	if !strings.Contains(stderr.String(), "job=user-inactivity") {
		t.Errorf("the account job is not scheduled:\n%s", stderr.String())
	}
	cancel()
	waitFor(t, "run to stop", func() bool {
		select {
		case code = <-done:
			return true
		default:
			return false
		}
	})
	if code != 0 {
		t.Fatalf("run exited %d:\n%s", code, stderr.String())
	}
	if _, _, err := httpGet(base + "/login"); err == nil {
		t.Fatal("portal still served after run stopped")
	}
	// Plain HTTP beyond loopback, or half a TLS pair: configuration errors.
	for _, c := range []string{"web: {addr: \"0.0.0.0:8080\"}\n", "web: {addr: \"127.0.0.1:0\", tls_cert: x.pem}\n"} {
		if err := os.WriteFile(cfgPath, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
		if code, _, errOut := run(t, "--config", cfgPath, "--data-dir", filepath.Join(dir, "var"), "portal"); code == 0 || !strings.Contains(errOut, "web.") {
			t.Errorf("%q: exit %d %q", c, code, errOut)
		}
	}
	if code, _, errOut := run(t, "--data-dir", filepath.Join(dir, "var"), "portal", "--addr", "192.0.2.1:8080"); code != 2 || !strings.Contains(errOut, "plain HTTP beyond loopback") {
		t.Errorf("--addr beyond loopback: exit %d %q", code, errOut)
	}
}

// TestServeServesPortal: serve answers real time and, with --web-addr,
// serves the portal too; both stop on cancel.
func TestServeServesPortal(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"--log-level", "error", "--data-dir", dir, "serve", "--addr", "127.0.0.1:0", "--web-addr", "127.0.0.1:0", "--grace", "5s"}, &stdout, &stderr)
	}()
	portalLine := regexp.MustCompile(`portal: (http://\S+)`)
	var base string
	waitFor(t, "the portal", func() bool {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		default:
		}
		if m := portalLine.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
			return true
		}
		return false
	})
	if !strings.Contains(stdout.String(), "listening on 127.0.0.1:") {
		t.Fatalf("no real-time endpoint:\n%s", stdout.String())
	}
	code, body, err := httpGet(base + "/login")
	if err != nil || code != 200 || !strings.Contains(body, `id="signin"`) {
		t.Fatalf("/login = %d %v", code, err)
	}
	cancel()
	waitFor(t, "serve to stop", func() bool {
		select {
		case code = <-done:
			return true
		default:
			return false
		}
	})
	if code != 0 {
		t.Fatalf("serve exited %d:\n%s", code, stderr.String())
	}
	if _, _, err := httpGet(base + "/login"); err == nil {
		t.Fatal("portal still served after serve stopped")
	}
}
