package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateEligibilityAndStatus: 270 and 276 bodies are checked
// against their guides (verdict accepted, exit 0, body_checked), a broken
// body is rejected with its IK3/IK4 line, and the help lists the guides.
func TestValidateEligibilityAndStatus(t *testing.T) {
	const (
		in270 = "../../edi/eligibility/testdata/subscriber_and_dependent.270"
		in276 = "../../edi/claimstatus/testdata/claims.276"
	)
	for _, in := range []string{in270, in276} {
		code, out, errOut := run(t, "validate", "--json", in)
		var rep struct {
			Verdict      string `json:"verdict"`
			Interchanges []struct {
				Groups []struct {
					Transactions []struct {
						ID          string `json:"id"`
						BodyChecked bool   `json:"body_checked"`
					} `json:"transactions"`
				} `json:"groups"`
			} `json:"interchanges"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%s: %v (%s)", in, err, errOut)
		}
		tx := rep.Interchanges[0].Groups[0].Transactions[0]
		if code != 0 || rep.Verdict != "accepted" || !tx.BodyChecked {
			t.Errorf("%s: exit %d, verdict %q, set %s body checked %v", in, code, rep.Verdict, tx.ID, tx.BodyChecked)
		}
	}

	data, err := os.ReadFile(in270)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.270")
	// A dependent's gender U is not a 270 code (F, M).
	os.WriteFile(bad, []byte(strings.Replace(string(data), "DMG*D8*20150704*M~", "DMG*D8*20150704*U~", 1)), 0o600)
	code, out, _ := run(t, "validate", bad)
	if code != 1 || !strings.Contains(out, "REJECTED") || !strings.Contains(out, "IK3 8 IK4 7  DMG03 at position 27 loop 2100D") {
		t.Errorf("bad 270: exit %d\n%s", code, out)
	}

	_, help, _ := run(t, "validate", "--help")
	for _, g := range []string{"270 (005010X279A1)", "271 (005010X279A1)", "276 (005010X212)", "277 (005010X212)", "277CA (005010X214)"} {
		if !strings.Contains(help, g) {
			t.Errorf("validate --help does not list %q", g)
		}
	}
}
