package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
)

// TestE2ERouteByMemberTPA runs `process --json` over the mixed e2e file
// with payer ID 88461 routed by member: the roster puts the 88461 claims'
// members under three TPAs, two of which have a partner of their own and
// one none (and the route has no default partner), and at most one claim
// per forwarded file.
func TestE2ERouteByMemberTPA(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			dir := t.TempDir()
			cfg, err := os.ReadFile(e2eDir + "clearinghouse.yaml")
			if err != nil {
				t.Fatal(err)
			}
			const byMember = `  - payer_id: "88461"
    corrected_partner: optum-corrected
    tpa_partners: {SYNTH TPA WEST: westtpa, synth tpa south: southtpa}
`
			text := strings.Replace(string(cfg), `  - {payer_id: "88461", partner: optum, corrected_partner: optum-corrected}`+"\n", byMember, 1)
			text = strings.Replace(text, "  - {id: optum-corrected}\n", "  - {id: optum-corrected}\n  - {id: westtpa}\n  - {id: southtpa}\n", 1)
			// One claim a file: relayhealth's three claims make three files.
			text += "max_claims_per_file: 1\n"
			if !strings.Contains(text, "tpa_partners") || !strings.Contains(text, "{id: westtpa}") {
				t.Fatal("e2e config changed shape; update this test")
			}
			// Relative paths in the config are relative to internal/cli.
			cfgPath := filepath.Join(dir, "clearinghouse.yaml")
			text = strings.ReplaceAll(text, "../../testdata/", filepath.Join(mustAbs(t, "../../testdata"))+"/")
			if err := os.WriteFile(cfgPath, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			rosterCSV, err := os.ReadFile(e2eDir + "roster.csv")
			if err != nil {
				t.Fatal(err)
			}
			tpas := map[string]string{"E2E0000000002": "SYNTH TPA WEST", "E2E0000000007": "Synth TPA South", "E2E0000000004": "SYNTH TPA NORTH"}
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(string(rosterCSV)), "\n") {
				f := strings.Split(l, ",")
				if tpa, ok := tpas[f[0]]; ok {
					f[len(f)-1] = tpa
				}
				lines = append(lines, strings.Join(f, ","))
			}
			rosterPath := filepath.Join(dir, "roster.csv")
			if err := os.WriteFile(rosterPath, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}

			out := filepath.Join(dir, "out")
			global := []string{"--config", cfgPath, "--data-dir", filepath.Join(dir, "var"), "--database", be.URL(t)}
			runOK := cliRunner(t, global)
			runOK("roster", "import", rosterPath)
			// Exit 1: a claim is rejected (no route).
			doc := decodeProcess(t, cliRunnerStatus(t, global)(1, "process", "--json", "--partner", "acme", "--out", out, e2eDir+"e2e-01-mixed.x12"))
			if len(doc.Files) != 1 {
				t.Fatalf("%d files", len(doc.Files))
			}
			type want struct{ outcome, partner, reasons, notes string }
			wants := map[string]want{
				"E2EP001": {"forwarded", "relayhealth", "A2:20", ""},
				"E2EP002": {"forwarded", "westtpa", "A2:20", ""},
				"E2EP003": {"rejected", "", "A3:116", "no-route"},
				"E2EP004": {"rejected", "", "A3:116", "tpa-unrouted"},
				"E2EI001": {"forwarded", "relayhealth", "A2:20", ""},
				"E2EI002": {"forwarded", "relayhealth", "A2:20", ""},
				"E2EI003": {"forwarded", "southtpa", "A2:20", ""},
			}
			for _, c := range doc.Files[0].Claims {
				w, ok := wants[c.CLM01]
				if !ok {
					t.Errorf("unexpected claim %s", c.CLM01)
					continue
				}
				delete(wants, c.CLM01)
				got := want{c.Outcome, c.Partner, strings.Join(c.Reasons, ";"), strings.Join(c.Notes, ";")}
				if got != w {
					t.Errorf("claim %s: %+v, want %+v", c.CLM01, got, w)
				}
			}
			if len(wants) != 0 {
				t.Errorf("claims missing from the JSON: %v", wants)
			}
			if names, err := filepath.Glob(filepath.Join(out, "relayhealth", "837*.x12")); err != nil || len(names) != 3 {
				t.Errorf("relayhealth: %v %v, want three 837s (max_claims_per_file 1)", names, err)
			}
			for partner, prefix := range map[string]string{"westtpa": "837P-", "southtpa": "837I-"} {
				names, err := filepath.Glob(filepath.Join(out, partner, prefix+"*.x12"))
				if err != nil || len(names) != 1 {
					t.Errorf("%s: %v %v, want one %s file", partner, names, err, prefix)
					continue
				}
				data, err := os.ReadFile(names[0])
				if err != nil {
					t.Fatal(err)
				}
				mustValidate(t, partner, data, envelope.Claims)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
