package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestInquiryCommands: eligibility check and status check for people,
// eligibility FILE and status FILE for 270 and 276 files, and partner
// tokens.
func TestInquiryCommands(t *testing.T) {
	dir := t.TempDir()
	do := func(args ...string) (int, string, string) {
		t.Helper()
		return run(t, append([]string{"--data-dir", dir}, args...)...)
	}
	if code, _, errOut := do("roster", "import", "../../testdata/roster/alliance-members.csv"); code != 0 {
		t.Fatalf("roster import: %d %s", code, errOut)
	}
	if code, _, errOut := do("process", "--out", filepath.Join(dir, "out"), demo+"acme-837p-20261120-01.x12"); code != 0 {
		t.Fatalf("process: %d %s", code, errOut)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"covered", []string{"eligibility", "check", "--member", "SYN00450000010", "--last", "umbersly", "--first", "Ivorsen", "--date", "20261120"},
			0, "ACTIVE on 20261120  eligibility 20200701-20270131"},
		{"lapsed", []string{"eligibility", "check", "--member", "SYN00450000002", "--last", "ZANTOVIC", "--first", "KESTRINA", "--date", "20261120"},
			1, "INACTIVE on 20261120"},
		{"suffix", []string{"eligibility", "check", "--member", "SYN0045000000201", "--last", "ZANTOVIC", "--first", "KESTRINA", "--date", "20261120"},
			1, "AAA*N**72*C at 2100C: member id differs from an enrolled id by a 2-digit person suffix"},
		{"bad date of birth", []string{"eligibility", "check", "--member", "SYN00450000002", "--last", "ZANTOVIC", "--dob", "19790231"},
			1, "AAA*N**58*C"},
		{"no arguments", []string{"eligibility"}, 2, ""},
		{"claim by control number", []string{"status", "check", "--claim", "CH000000000001"}, 0, "A2:20"},
		{"claim by clm01", []string{"status", "check", "--pcn", "PCN0045000000001", "--npi", "1853335648"}, 0, "PCN0045000000001"},
		{"claim not found", []string{"status", "check", "--pcn", "NOPE", "--npi", "1853335648"}, 1, "A4:35"},
		{"--pcn without --npi", []string{"status", "check", "--pcn", "NOPE"}, 2, ""},
		{"270 file", []string{"eligibility", demo + "acme-inquiry-20261123-270.x12"}, 0, "EB*1**30**POS~"},
		{"276 file", []string{"status", demo + "acme-inquiry-20261123-276.x12"}, 0, "STC*A2:20*"},
		{"837 given to eligibility", []string{"eligibility", demo + "acme-837p-20261120-01.x12"}, 1, "IK5*R*1~"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := do(tc.args...)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant %q", code, tc.code, out, errOut, tc.want)
			}
		})
	}

	code, out, _ := do("eligibility", "check", "--json", "--member", "SYN00450000010", "--last", "UMBERSLY", "--first", "IVORSEN", "--date", "20261120")
	var ans map[string]any
	if err := json.Unmarshal([]byte(out), &ans); code != 0 || err != nil || ans["benefits"] == nil {
		t.Fatalf("--json: %d %v %s", code, err, out)
	}

	outFile := filepath.Join(dir, "answer.271")
	if code, _, errOut := do("eligibility", "--out", outFile, demo+"acme-inquiry-20261123-270.x12"); code != 0 || !strings.Contains(errOut, "3 inquiries: 1 active, 1 inactive, 1 rejected") {
		t.Fatalf("--out: %d %s", code, errOut)
	}
	if code, _, _ := do("validate", outFile); code != 0 {
		t.Fatalf("the 271 written does not validate: exit %d", code)
	}
	data, _ := os.ReadFile(outFile)
	if strings.Count(string(data), "ST*271*") != 3 {
		t.Fatalf("271:\n%s", data)
	}

	code, secret, errOut := do("partner", "token", "acme", "--label", "test")
	if code != 0 || !strings.HasPrefix(secret, "chs_") || !strings.Contains(errOut, "credential 1 for partner acme") {
		t.Fatalf("partner token: %d %q %s", code, secret, errOut)
	}
	code, out, _ = do("partner", "tokens")
	if code != 0 || !strings.Contains(out, "acme") || strings.Contains(out, strings.TrimSpace(secret)) {
		t.Fatalf("partner tokens: %d\n%s", code, out)
	}
	if code, _, _ := do("partner", "revoke", "1"); code != 0 {
		t.Fatalf("revoke: %d", code)
	}
	if code, _, _ := do("partner", "revoke", "1"); code != 1 {
		t.Fatalf("second revoke: %d", code)
	}
}

// TestServe starts `serve`, answers a 270 over HTTP with a partner
// token, and stops on cancel.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := run(t, "--data-dir", dir, "roster", "import", "../../testdata/roster/alliance-members.csv"); code != 0 {
		t.Fatal(errOut)
	}
	_, secret, _ := run(t, "--data-dir", dir, "partner", "token", "acmemed")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		var out, errb bytes.Buffer
		done <- Main(ctx, []string{"--log-level", "error", "--data-dir", dir, "serve", "--addr", addr}, &out, &errb)
	}()
	body, _ := os.ReadFile(demo + "acme-inquiry-20261123-270.x12")
	var resp *http.Response
	for i := 0; i < 100; i++ {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/x12/realtime", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(secret))
		req.Header.Set("Content-Type", "application/edi-x12")
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The partner ID is ACMEMED's own (no sender_ids configured), the
	// demo file holds three inquiries in one set: answered.
	if resp.StatusCode != 200 || strings.Count(string(data), "ST*271*") != 3 {
		t.Fatalf("%d\n%s", resp.StatusCode, data)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}
