package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/transport"
)

// TestCycleLogsNoFileNames polls and processes files whose names carry
// PHI (a valid 837 and a file that is not X12 at all) with debug logs on:
// no log line names them (nor their archive names); the logs refer to
// them by name hash, and `file ID` still shows the name.
func TestCycleLogsNoFileNames(t *testing.T) {
	dir := t.TempDir()
	inbox, outbox := filepath.Join(dir, "inbox"), filepath.Join(dir, "outbox")
	for _, d := range []string{inbox, outbox} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	const valid = "DOE_JANE_DOB19700101_MRN123456.x12"
	const junk = "ROE_RICHARD_DOB19650505_MRN654321.x12"
	data, err := os.ReadFile(demo + "acme-837i-20261120-01.x12")
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{valid: data, junk: []byte("not an interchange")} {
		if err := os.WriteFile(filepath.Join(inbox, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfgPath := filepath.Join(dir, "clearinghouse.yaml")
	cfgText := fmt.Sprintf("eligibility: \"off\"\npartners:\n  - {id: acme, inbox: \"dir:%s\", outbox: \"dir:%s\", archive: archive}\n", inbox, outbox)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"--log-level", "debug", "--config", cfgPath, "--data-dir", filepath.Join(dir, "var")}
	code := Main(context.Background(), append(args, "cycle"), &stdout, &stderr)
	logs := stderr.String()
	if code != 0 && code != 1 {
		t.Fatalf("cycle exited %d:\n%s", code, logs)
	}
	for _, leak := range []string{"DOE_JANE", "ROE_RICHARD", "MRN123456", "MRN654321", "DOB19700101", "DOB19650505"} {
		if strings.Contains(logs, leak) {
			t.Errorf("logs contain %q:\n%s", leak, logs)
		}
	}
	for _, name := range []string{valid, junk} {
		if !strings.Contains(logs, "name_hash="+transport.NameHash(name)) {
			t.Errorf("logs never refer to %s by its name hash:\n%s", name, logs)
		}
	}
	if entries, _ := os.ReadDir(inbox); len(entries) != 1 { // only the archive folder
		t.Fatalf("inbox holds %d entries after the cycle; want both files archived", len(entries))
	}
	stdout.Reset()
	if code := Main(context.Background(), append(args, "file", "1"), &stdout, &stderr); code != 0 {
		t.Fatalf("file 1 exited %d", code)
	}
	if !strings.Contains(stdout.String(), valid) && !strings.Contains(stdout.String(), junk) {
		t.Errorf("`file 1` does not show the file name:\n%s", stdout.String())
	}
}
