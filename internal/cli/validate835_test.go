package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An 835 body is checked against the X221A1 guide: the verdict is real
// (accepted or rejected), never "envelope only".
func TestValidate835(t *testing.T) {
	good := filepath.Join("..", "..", "edi", "remit", "testdata", "payment.835.golden")
	code, out, errOut := run(t, "validate", good)
	if code != 0 || !strings.Contains(out, ": accepted") || strings.Contains(out, "envelope only") {
		t.Fatalf("835: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = run(t, "validate", "--json", good)
	var rep struct {
		Verdict      string `json:"verdict"`
		EnvelopeOnly int    `json:"envelope_only_sets"`
		Interchanges []struct {
			Groups []struct {
				Transactions []struct {
					BodyChecked bool `json:"body_checked"`
				} `json:"transactions"`
			} `json:"groups"`
		} `json:"interchanges"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if code != 0 || rep.Verdict != "accepted" || rep.EnvelopeOnly != 0 || !rep.Interchanges[0].Groups[0].Transactions[0].BodyChecked {
		t.Fatalf("835 JSON: exit %d %+v", code, rep)
	}

	// Unbalanced: the paid amount of the first line is off by a cent.
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "unbalanced.835")
	if err := os.WriteFile(bad, []byte(strings.Replace(string(data), "SVC*HC:A0428:RH*200*120", "SVC*HC:A0428:RH*200*120.01", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "validate", bad)
	if code != 1 || !strings.Contains(out, "REJECTED") || !strings.Contains(out, "IK4 I12  SVC03") {
		t.Fatalf("unbalanced 835: exit %d\n%s", code, out)
	}

	_, help, _ := run(t, "validate", "--help")
	if !strings.Contains(help, "835 (005010X221A1)") {
		t.Errorf("validate --help does not list the 835 guide:\n%s", help)
	}
}
