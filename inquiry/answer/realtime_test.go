package answer_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/inquiry/answer"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/realtime"
)

// TestRealtimeEndToEnd serves the real responder on loopback: raw and
// CORE requests answered with a 271 or 277, bad credentials 401, asking
// as another partner 403, X12 that does not validate answered with its
// 999 (HTTP 200, as CORE asks), a body that is not X12 400; every
// exchange is in the audit log.
func TestRealtimeEndToEnd(t *testing.T) {
	b := setup(t, dbtest.SQLiteURL(t))
	ctx := context.Background()
	secret, err := realtime.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.AddPartnerCredential(ctx, "acme", store.HashSecret(secret), "e2e"); err != nil {
		t.Fatal(err)
	}
	other, _ := realtime.NewSecret()
	if _, err := b.st.AddPartnerCredential(ctx, "zenith", store.HashSecret(other), "e2e"); err != nil {
		t.Fatal(err)
	}
	audit := realtime.NewGroupAudit(b.st) // closed by the server
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := realtime.Listen(realtime.Config{Addr: "127.0.0.1:0", Auth: &realtime.StoreAuth{Lookup: b.st},
		Responder: &answer.Realtime{Answerer: b.a, Lookup: b.st, Controls: &answer.ControlBlocks{Store: b.st}}, Audit: audit,
		SenderIDs: func(p string) []string { return map[string][]string{"acme": {"ACMEMED"}}[p] }, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(ctx)
	url := "http://" + srv.Addr().String() + realtime.Path
	client := &http.Client{Timeout: 10 * time.Second}

	raw := func(token, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/edi-x12")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	in270 := build270("88461", []person{adam}, nil)
	for _, tc := range []struct {
		name, token, body string
		status            int
		want              string
		audit             string // the audit entry's answer
	}{
		{"271", secret, in270, 200, "EB*1*FAM*30*PR*GOLD PPO~", "EB:1"},
		{"277", secret, build276([]claimAsk{{member: "SYN2000001", pcn: "PCN-PAID"}}), 200, "STC*F1:65*", "STC:F1:65"},
		{"not found", secret, build270("88461", []person{with(adam, func(p *person) { p.id = "SYN9999999" })}, nil), 200, "AAA*N**75*C~", "AAA:2100C:75"},
		{"999 for a set that does not validate", secret, build270("88461", []person{with(adam, func(p *person) { p.dob = "19801399" })}, nil),
			200, "IK5*R*5~", "999:R"},
		{"two sets", secret, strings.Replace(in270, "GE*1*101~", strings.Join(strings.SplitAfter(
			in270[strings.Index(in270, "ST*270"):strings.Index(in270, "GE*1")], "~"), "")+"GE*2*101~", 1), 400, "must be one", ""},
		{"not x12", secret, "hello", 400, "not an X12", ""},
		{"bad token", "chs_wrong", in270, 401, "authentication", ""},
		{"another partner's sender", other, in270, 403, "ISA06", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := raw(tc.token, tc.body)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("%d\n%s\nwant %d with %q", status, body, tc.status, tc.want)
			}
			if status == 200 && !strings.Contains(body, "ST*999") {
				assertValid(t, []byte(body))
			}
			es, err := b.st.ListAudit(ctx, store.AuditFilter{Action: "realtime.inquiry", Limit: 1})
			if err != nil || len(es) != 1 {
				t.Fatal(es, err)
			}
			if tc.audit != "" && !strings.Contains(es[0].Detail, `"answer":"`+tc.audit+`"`) {
				t.Fatalf("audit %+v, want answer %s", es[0], tc.audit)
			}
		})
	}

	// CORE: the 270 in the envelope, the 271 in the answer's Payload.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"PayloadType": realtime.PayloadType270, "ProcessingMode": "RealTime",
		"PayloadID": "3a4b8c2e-0000-4000-8000-000000000001", "TimeStamp": "2026-06-15T09:30:00Z", "SenderID": "ACMEMED",
		"ReceiverID": "CLEARINGHOUSE", "CORERuleVersion": "2.2.0", "UserName": "acme", "Password": secret, "Payload": in270} {
		_ = mw.WriteField(k, v)
	}
	mw.Close()
	resp, err := client.Post(url, mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	mr := multipart.NewReader(resp.Body, params["boundary"])
	got := map[string]string{}
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		v, _ := io.ReadAll(p)
		got[p.FormName()] = string(v)
	}
	if resp.StatusCode != 200 || got["ErrorCode"] != "Success" || got["PayloadType"] != realtime.PayloadType271 ||
		!strings.Contains(got["Payload"], "EB*1*FAM*30*PR*GOLD PPO~") {
		t.Fatalf("CORE answer %d %v", resp.StatusCode, got)
	}
	// The normal log never holds PHI (the audit log does).
	for _, phi := range []string{"SYN2000001", "SYN9999999", "ALPHA", "ADAM", "19800101"} {
		if strings.Contains(logs.String(), phi) {
			t.Fatalf("log holds %q:\n%s", phi, logs.String())
		}
	}
}

// syncWriter serialises writes to a buffer shared by the server's
// goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
