package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
)

// updateGolden rewrites testdata/e2e/golden from the SQLite run:
//
//	go test ./internal/cli/ -run E2E -update
var updateGolden = flag.Bool("update", false, "rewrite the golden outbound 837s in testdata/e2e/golden")

const e2eDir = "testdata/e2e/"

// e2eLine is what one service line should look like, in `process --json`
// and in the outbound 837.
type e2eLine struct {
	code, rev string
	billed    int64
	allowed   int64  // -1: null (not repriced)
	hcp       string // the whole 2400 HCP segment; "" when none is written
}

// e2eClaim is what one claim should look like, in `process --json` (the
// run that processed its file) and in the outbound 837 of its partner.
type e2eClaim struct {
	clm01, freq, outcome string
	reasons, notes       []string
	replaces             string
	partner, method      string
	file                 string // golden name of the outbound 837: <partner>-<837P|837I>; "" when not forwarded
	billed               int64
	allowed              int64  // -1: null (not repriced)
	hcp                  string // the whole 2300 HCP segment
	lines                []e2eLine
}

// e2eWant is every claim of testdata/e2e by our claim control number.
// Control numbers are drawn in file and set order: the 837P set of
// e2e-01-mixed.x12 takes 1-4, its 837I set 5-7, e2e-02-replacement.x12 8.
//
// Pricing (testdata/schedules, contracts.yaml; amounts half up to the cent):
var e2eWant = map[string]e2eClaim{
	// 837P, payer 2712 → relayhealth. Contract ALLIANCE-PROF (payer 2712 +
	// type P; billing TIN 990000123 is not the RBRVS group 990000001):
	// lesser of charge and fee × units, unpriced lines 50 % of charges.
	// DOS 2026-03-02, POS 11 from CLM05-1.
	//   1 A0428 ×1 $400.00: fee 325.00 (row from 2026-01-01) → min(400.00, 325.00) = 325.00, savings 75.00, HCP01 02
	//   2 G0008 ×1  $25.00: fee 30.00 (row for POS 11 beats the 35.00 code row) → min(25.00, 30.00) = 25.00, savings 0, 02
	//   3 J3420 ×1  $80.00: no fee row → 80.00 × 50 % = 40.00, savings 40.00, HCP01 03
	//   claim: 325.00 + 25.00 + 40.00 = 390.00; savings 505.00 − 390.00 = 115.00; HCP01 02 and 03 mixed → 08
	"CH000000000001": {clm01: "E2EP001", freq: "1", outcome: "forwarded", reasons: []string{"A2:20"}, notes: []string{},
		partner: "relayhealth", method: "lesser_of_fee", file: "relayhealth-837P",
		billed: 50500, allowed: 39000, hcp: "HCP*08*390*115*CLEARINGHOUSE",
		lines: []e2eLine{
			{code: "A0428", billed: 40000, allowed: 32500, hcp: "HCP*02*325*75"},
			{code: "G0008", billed: 2500, allowed: 2500, hcp: "HCP*02*25*0"},
			{code: "J3420", billed: 8000, allowed: 4000, hcp: "HCP*03*40*40"},
		}},
	// 837P, payer 88461 → optum. Contract ALLIANCE-88461: 70 % of charges.
	//   1 E0114-RR $120.00 × 70 % = 84.00, savings 36.00
	//   2 A4253     $10.05 × 70 % = 7.035 → 7.04 (half up), savings 3.01
	//   claim: 84.00 + 7.04 = 91.04; savings 130.05 − 91.04 = 39.01
	"CH000000000002": {clm01: "E2EP002", freq: "1", outcome: "forwarded", reasons: []string{"A2:20"}, notes: []string{},
		partner: "optum", method: "percent_of_charges", file: "optum-837P",
		billed: 13005, allowed: 9104, hcp: "HCP*03*91.04*39.01*CLEARINGHOUSE",
		lines: []e2eLine{
			{code: "E0114", billed: 12000, allowed: 8400, hcp: "HCP*03*84*36"},
			{code: "A4253", billed: 1005, allowed: 704, hcp: "HCP*03*7.04*3.01"},
		}},
	// 837P, payer 99999: no route → rejected at intake, 277CA A3:116; never
	// priced, never forwarded.
	"CH000000000003": {clm01: "E2EP003", freq: "1", outcome: "rejected", reasons: []string{"A3:116"}, notes: []string{"no-route"},
		billed: 7500, allowed: -1,
		lines: []e2eLine{{code: "G0009", billed: 7500, allowed: -1}}},
	// 837P, payer 88461 → optum (the original, replaced by CH000000000008).
	//   1 L3000 ×2 $200.00 × 70 % = 140.00, savings 60.00
	"CH000000000004": {clm01: "E2EP004", freq: "1", outcome: "forwarded", reasons: []string{"A2:20"}, notes: []string{},
		partner: "optum", method: "percent_of_charges", file: "optum-837P",
		billed: 20000, allowed: 14000, hcp: "HCP*03*140*60*CLEARINGHOUSE",
		lines: []e2eLine{{code: "L3000", billed: 20000, allowed: 14000, hcp: "HCP*03*140*60"}}},
	// 837I TOB 131, payer 1935 → relayhealth. Not inpatient (bill type 13)
	// and not the case-rate facility 1888888819: ALLIANCE-INST, 65 % of
	// charges.
	//   1 0450 G0380 $961.00 × 65 % = 624.65, savings 336.35
	//   2 0636 J1100  $24.80 × 65 % = 16.12, savings 8.68
	//   claim: 624.65 + 16.12 = 640.77; savings 985.80 − 640.77 = 345.03
	"CH000000000005": {clm01: "E2EI001", freq: "1", outcome: "forwarded", reasons: []string{"A2:20"}, notes: []string{},
		partner: "relayhealth", method: "percent_of_charges", file: "relayhealth-837I",
		billed: 98580, allowed: 64077, hcp: "HCP*03*640.77*345.03*CLEARINGHOUSE",
		lines: []e2eLine{
			{code: "G0380", rev: "0450", billed: 96100, allowed: 62465, hcp: "HCP*03*624.65*336.35"},
			{code: "J1100", rev: "0636", billed: 2480, allowed: 1612, hcp: "HCP*03*16.12*8.68"},
		}},
	// 837I TOB 111, payer 1935 → relayhealth. Inpatient, billing NPI
	// 1760000012 (not the DRG hospital 1999999901): ALLIANCE-IP-PERDIEM.
	// Rate: first line whose revenue code has one, 0120 = 1850.00 (row
	// from 2026-01-01, looked up on the discharge date 2026-03-05). Days:
	// discharge 2026-03-05 − admission 2026-03-02 = 3.
	//   claim: 1850.00 × 3 = 5550.00; savings 6350.00 − 5550.00 = 800.00;
	//   HCP01 06, HCP05 1850 (rate), HCP11 DA, HCP12 3
	//   lines bundled: HCP01 04, allowed 0, savings = the line charge
	"CH000000000006": {clm01: "E2EI002", freq: "1", outcome: "forwarded", reasons: []string{"A2:20"}, notes: []string{},
		partner: "relayhealth", method: "per_diem", file: "relayhealth-837I",
		billed: 635000, allowed: 555000, hcp: "HCP*06*5550*800*CLEARINGHOUSE*1850******DA*3",
		lines: []e2eLine{
			{rev: "0120", billed: 600000, allowed: 0, hcp: "HCP*04*0*6000"},
			{rev: "0250", billed: 35000, allowed: 0, hcp: "HCP*04*0*350"},
		}},
	// 837I TOB 131, payer 88461 → optum: 70 % of charges.
	//   1 0636 J1100 $145.55 × 70 % = 101.885 → 101.89 (half up), savings 43.66
	//   2 0270 A4253  $40.00 × 70 % = 28.00, savings 12.00
	//   claim: 101.89 + 28.00 = 129.89; savings 185.55 − 129.89 = 55.66
	"CH000000000007": {clm01: "E2EI003", freq: "1", outcome: "forwarded", reasons: []string{"A2:20"}, notes: []string{},
		partner: "optum", method: "percent_of_charges", file: "optum-837I",
		billed: 18555, allowed: 12989, hcp: "HCP*03*129.89*55.66*CLEARINGHOUSE",
		lines: []e2eLine{
			{code: "J1100", rev: "0636", billed: 14555, allowed: 10189, hcp: "HCP*03*101.89*43.66"},
			{code: "A4253", rev: "0270", billed: 4000, allowed: 2800, hcp: "HCP*03*28*12"},
		}},
	// e2e-02: replacement (CLM05-3 7, REF*F8 CH000000000004), payer 88461 →
	// the route's corrected partner optum-corrected: 70 % of charges.
	//   1 L3000 ×2 $220.00 × 70 % = 154.00, savings 66.00
	"CH000000000008": {clm01: "E2EP004", freq: "7", outcome: "forwarded", reasons: []string{"A2:20"}, notes: []string{},
		replaces: "CH000000000004", partner: "optum-corrected", method: "percent_of_charges", file: "optum-corrected-837P",
		billed: 22000, allowed: 15400, hcp: "HCP*03*154*66*CLEARINGHOUSE",
		lines: []e2eLine{{code: "L3000", billed: 22000, allowed: 15400, hcp: "HCP*03*154*66"}}},
}

// e2eGoldens are the outbound 837s the two runs must write: one per
// partner and claim type.
var e2eGoldens = []string{"optum-837I", "optum-837P", "optum-corrected-837P", "relayhealth-837I", "relayhealth-837P"}

// e2eProcessDoc is the part of the `process --json` document checked here.
type e2eProcessDoc struct {
	Files []struct {
		InboundID  int64          `json:"inbound_id"`
		Name       string         `json:"name"`
		State      string         `json:"state"`
		Counts     map[string]int `json:"counts"`
		Outcomes   map[string]int `json:"outcomes"`
		Rejections map[string]int `json:"rejections"`
		Outputs    []struct {
			Kind    string `json:"kind"`
			Partner string `json:"partner"`
			Name    string `json:"name"`
		} `json:"outputs"`
		Claims []struct {
			CLM01     string   `json:"clm01"`
			Control   string   `json:"claim_control_number"`
			Frequency string   `json:"frequency"`
			Outcome   string   `json:"outcome"`
			Reasons   []string `json:"reasons"`
			Notes     []string `json:"notes"`
			Replaces  string   `json:"replaces"`
			Partner   string   `json:"partner"`
			Method    string   `json:"method"`
			Billed    int64    `json:"billed_cents"`
			Allowed   *int64   `json:"allowed_cents"`
			Lines     []struct {
				Line        int    `json:"line"`
				Code        string `json:"code"`
				RevenueCode string `json:"revenue_code"`
				Billed      int64  `json:"billed_cents"`
				Allowed     *int64 `json:"allowed_cents"`
			} `json:"lines"`
		} `json:"claims"`
	} `json:"files"`
	Delivered []string `json:"delivered"`
}

// TestE2EProcessMixedFile runs the real `process --json` command over a
// mixed inbound file (837P and 837I groups, payer IDs 2712, 1935, 88461
// and one unknown) and then over a replacement of one of its claims, with
// the routes, corrected partner and file-based repricing of
// testdata/e2e/clearinghouse.yaml and the members of testdata/e2e/roster.csv.
// It checks, from the JSON and from the files under DIR/<partner>/, which
// partner got which claim, every outcome and amount, the HCP segments
// against the hand-computed values of e2eWant, that every outbound file
// passes our validator, and every outbound 837 byte for byte against its
// golden file (dates and times normalised, see normaliseOutbound837).
func TestE2EProcessMixedFile(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			global := []string{"--config", e2eDir + "clearinghouse.yaml", "--data-dir", filepath.Join(dir, "var"), "--database", be.URL(t)}
			runOK := cliRunner(t, global)
			runOK("roster", "import", e2eDir+"roster.csv")

			// Run 1: the mixed file. Its originals are forwarded, the claim
			// to the unknown payer ID is rejected.
			runWant := cliRunnerStatus(t, global)
			// Exit 1: the claim to the unknown payer ID is rejected.
			doc1 := decodeProcess(t, runWant(1, "process", "--json", "--partner", "acme", "--out", out, e2eDir+"e2e-01-mixed.x12"))
			checkProcessFile(t, doc1, "e2e-01-mixed.x12", map[string]int{"accepted": 6, "rejected": 1}, map[string]int{"A3:116": 1},
				[]string{"CH000000000001", "CH000000000002", "CH000000000003", "CH000000000004", "CH000000000005", "CH000000000006", "CH000000000007"})
			id1 := doc1.Files[0].InboundID
			if got, want := partnerDirs(t, out), []string{"acme", "optum", "relayhealth"}; !slices.Equal(got, want) {
				t.Errorf("after run 1, partner folders %v, want %v", got, want)
			}

			// Run 2: the replacement of E2EP004, sent after its original
			// was forwarded, goes to the corrected partner.
			doc2 := decodeProcess(t, runOK("process", "--json", "--partner", "acme", "--out", out, e2eDir+"e2e-02-replacement.x12"))
			checkProcessFile(t, doc2, "e2e-02-replacement.x12", map[string]int{"accepted": 1, "replacements": 1}, map[string]int{},
				[]string{"CH000000000008"})
			id2 := doc2.Files[0].InboundID

			// The original is now replaced, and its history names the
			// replacement.
			var hist struct {
				Claim struct {
					State string `json:"state"`
				} `json:"claim"`
				History []struct {
					Control  string `json:"claim_control_number"`
					State    string `json:"state"`
					Replaces string `json:"replaces"`
					RefF8    string `json:"ref_f8"`
				} `json:"history"`
			}
			if err := json.Unmarshal([]byte(runOK("claim", "--json", "CH000000000004")), &hist); err != nil {
				t.Fatal(err)
			}
			if hist.Claim.State != "replaced" || len(hist.History) != 2 || hist.History[1].Control != "CH000000000008" ||
				hist.History[1].Replaces != "CH000000000004" || hist.History[1].RefF8 != "CH000000000004" || hist.History[1].State != "forwarded" {
				t.Errorf("claim CH000000000004 after the replacement: %+v", hist)
			}

			// Every delivered path is under DIR/<partner>/ and exists.
			for _, p := range append(doc1.Delivered, doc2.Delivered...) {
				if _, err := os.Stat(p); err != nil || !strings.HasPrefix(p, out+string(os.PathSeparator)) {
					t.Errorf("delivered %s: %v", p, err)
				}
			}

			if got, want := partnerDirs(t, out), []string{"acme", "optum", "optum-corrected", "relayhealth"}; !slices.Equal(got, want) {
				t.Fatalf("partner folders %v, want %v", got, want)
			}
			checkAcks(t, filepath.Join(out, "acme"), id1, id2)
			checkOutbound837s(t, out, be.Name == "sqlite")
		})
	}
}

// cliRunner returns a function that runs the command line with the global
// flags and args, fails the test unless it exits 0, and returns stdout.
func cliRunner(t *testing.T, global []string) func(args ...string) string {
	run := cliRunnerStatus(t, global)
	return func(args ...string) string {
		t.Helper()
		return run(0, args...)
	}
}

// cliRunnerStatus is cliRunner for a command expected to exit with want.
func cliRunnerStatus(t *testing.T, global []string) func(want int, args ...string) string {
	return func(want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := run(t, append(append([]string{}, global...), args...)...)
		if code != want {
			t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, stdout, stderr)
		}
		return stdout
	}
}

func decodeProcess(t *testing.T, stdout string) e2eProcessDoc {
	t.Helper()
	var doc e2eProcessDoc
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("process --json: %v\n%s", err, stdout)
	}
	return doc
}

// checkProcessFile checks the one file of a `process --json` document:
// state, outcome and rejection counts, and each claim (in file order)
// against e2eWant.
func checkProcessFile(t *testing.T, doc e2eProcessDoc, name string, outcomes, rejections map[string]int, controls []string) {
	t.Helper()
	if len(doc.Files) != 1 {
		t.Fatalf("%s: %d files in the JSON, want 1", name, len(doc.Files))
	}
	f := doc.Files[0]
	if f.Name != name || f.State != "processed" {
		t.Errorf("%s: name %q state %q", name, f.Name, f.State)
	}
	// The counts keys are the documented ones (docs/process-json.md).
	if c := f.Counts; len(c) != 6 || c["interchanges"] != 1 || c["transactions"] == 0 ||
		c["tx_accepted"]+c["tx_rejected"] != c["transactions"] || c["claims_accepted"]+c["claims_rejected"] == 0 {
		t.Errorf("%s: counts %v", name, c)
	}
	if fmt.Sprint(f.Outcomes) != fmt.Sprint(outcomes) || fmt.Sprint(f.Rejections) != fmt.Sprint(rejections) {
		t.Errorf("%s: outcomes %v rejections %v, want %v and %v", name, f.Outcomes, f.Rejections, outcomes, rejections)
	}
	for _, o := range f.Outputs {
		if o.Partner != "acme" || (o.Kind != "999" && o.Kind != "277CA") {
			t.Errorf("%s: output %+v: want 999 and 277CA files for the sender only", name, o)
		}
	}
	var got []string
	for _, c := range f.Claims {
		got = append(got, c.Control)
		w, ok := e2eWant[c.Control]
		if !ok {
			t.Errorf("%s: unexpected claim %s (%s)", name, c.Control, c.CLM01)
			continue
		}
		if c.CLM01 != w.clm01 || c.Frequency != w.freq || c.Outcome != w.outcome || !slices.Equal(c.Reasons, w.reasons) ||
			!slices.Equal(c.Notes, w.notes) || c.Replaces != w.replaces || c.Partner != w.partner || c.Method != w.method {
			t.Errorf("%s %s: clm01 %s freq %s outcome %s reasons %v notes %v replaces %q partner %q method %q\n"+
				"want clm01 %s freq %s outcome %s reasons %v notes %v replaces %q partner %q method %q", name, c.Control,
				c.CLM01, c.Frequency, c.Outcome, c.Reasons, c.Notes, c.Replaces, c.Partner, c.Method,
				w.clm01, w.freq, w.outcome, w.reasons, w.notes, w.replaces, w.partner, w.method)
		}
		if c.Billed != w.billed || cents(c.Allowed) != w.allowed {
			t.Errorf("%s %s (%s): billed %d allowed %d, want %d and %d", name, c.Control, c.CLM01, c.Billed, cents(c.Allowed), w.billed, w.allowed)
		}
		if len(c.Lines) != len(w.lines) {
			t.Errorf("%s %s: %d lines, want %d", name, c.Control, len(c.Lines), len(w.lines))
			continue
		}
		for i, l := range c.Lines {
			wl := w.lines[i]
			if l.Line != i+1 || l.Code != wl.code || l.RevenueCode != wl.rev || l.Billed != wl.billed || cents(l.Allowed) != wl.allowed {
				t.Errorf("%s %s line %d: %s/%s billed %d allowed %d, want %s/%s %d and %d", name, c.Control, l.Line,
					l.Code, l.RevenueCode, l.Billed, cents(l.Allowed), wl.code, wl.rev, wl.billed, wl.allowed)
			}
		}
	}
	if !slices.Equal(got, controls) {
		t.Errorf("%s: claims %v, want %v", name, got, controls)
	}
}

// cents is an allowed amount, -1 for null.
func cents(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

// partnerDirs lists the partner folders under out.
func partnerDirs(t *testing.T, out string) []string {
	t.Helper()
	ents, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

// x12Segments splits an interchange into segments, each split into
// elements, with the delimiters its ISA declares.
func x12Segments(t *testing.T, name string, data []byte) [][]string {
	t.Helper()
	if len(data) < 106 || !bytes.HasPrefix(data, []byte("ISA")) {
		t.Fatalf("%s: no ISA", name)
	}
	elem, term := string(data[3]), string(data[105])
	var segs [][]string
	for _, s := range strings.Split(string(data), term) {
		if s = strings.TrimSpace(s); s != "" {
			segs = append(segs, strings.Split(s, elem))
		}
	}
	return segs
}

// mustValidate runs our own validator over an outbound file: nothing may
// be rejected or noted.
func mustValidate(t *testing.T, name string, data []byte, supported []envelope.SetKey) {
	t.Helper()
	res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{Supported: supported})
	if err != nil {
		t.Fatalf("validate %s: %v", name, err)
	}
	if res.Status() != 0 {
		rep, _ := json.MarshalIndent(validate.Report(name, res), "", "  ")
		t.Errorf("%s does not validate cleanly:\n%s", name, rep)
	}
}

// checkAcks checks the acknowledgments sent back to the submitter: one
// 999 per group (all accepted) and one 277CA per set, each claim with the
// status and, when accepted, our claim control number.
func checkAcks(t *testing.T, dir string, id1, id2 int64) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	want := []string{
		fmt.Sprintf("277CA-%d-E2EMEDGROUP-000000501-501-0001.x12", id1),
		fmt.Sprintf("277CA-%d-E2EMEDGROUP-000000501-502-0001.x12", id1),
		fmt.Sprintf("277CA-%d-E2EMEDGROUP-000000502-503-0001.x12", id2),
		fmt.Sprintf("999-%d-E2EMEDGROUP-000000501-501.x12", id1),
		fmt.Sprintf("999-%d-E2EMEDGROUP-000000501-502.x12", id1),
		fmt.Sprintf("999-%d-E2EMEDGROUP-000000502-503.x12", id2),
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("acknowledgments %v, want %v", got, want)
	}
	// 277CA: TRN*2 of each patient-level HL, its STC01 and REF*1K.
	statuses := map[string]string{}
	groups999 := map[string]string{}
	for _, name := range got {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		mustValidate(t, name, data, nil)
		segs := x12Segments(t, name, data)
		if isa := segs[0]; strings.TrimSpace(isa[8]) != "E2EMEDGROUP" || strings.TrimSpace(isa[6]) != "CLEARINGHOUSE" {
			t.Errorf("%s: ISA %s → %s, want CLEARINGHOUSE → E2EMEDGROUP", name, isa[6], isa[8])
		}
		if strings.HasPrefix(name, "999-") {
			ak1 := ""
			for _, s := range segs {
				switch s[0] {
				case "AK1":
					ak1 = s[2]
				case "AK9":
					groups999[ak1] = s[1]
				}
			}
			continue
		}
		level, pcn := "", ""
		for _, s := range segs {
			switch {
			case s[0] == "HL":
				level, pcn = s[3], ""
			case s[0] == "TRN" && s[1] == "2" && level == "PT":
				pcn = s[2]
				statuses[pcn] += "|"
			case s[0] == "STC" && pcn != "":
				statuses[pcn] += s[1]
			case s[0] == "REF" && s[1] == "1K" && pcn != "":
				statuses[pcn] += " 1K " + s[2]
			}
		}
	}
	wantStatus := map[string]string{
		"E2EP001": "|A2:20 1K CH000000000001",
		"E2EP002": "|A2:20 1K CH000000000002",
		"E2EP003": "|A3:116",
		"E2EP004": "|A2:20 1K CH000000000004|A2:20 1K CH000000000008", // the original, then its replacement
		"E2EI001": "|A2:20 1K CH000000000005",
		"E2EI002": "|A2:20 1K CH000000000006",
		"E2EI003": "|A2:20 1K CH000000000007",
	}
	if fmt.Sprint(statuses) != fmt.Sprint(wantStatus) {
		t.Errorf("277CA claim statuses\n got %v\nwant %v", statuses, wantStatus)
	}
	if want := map[string]string{"501": "A", "502": "A", "503": "A"}; fmt.Sprint(groups999) != fmt.Sprint(want) {
		t.Errorf("999 AK9 by group %v, want %v", groups999, want)
	}
}

// sentClaim is one claim as found in an outbound 837.
type sentClaim struct {
	file, clm01, freq, refF8, ref string // ref: "9A:<control>" or "9C:<control>"
	hcp                           string
	lines                         []string // HCP per line, "" when none
	lineRefs                      []string
}

// checkOutbound837s reads every outbound 837 under out: it must validate,
// hold exactly the claims e2eWant sends to its partner with the
// hand-computed HCP segments, and equal its golden file once its dates and
// times are normalised. With -update (SQLite only) the goldens are
// rewritten instead.
func checkOutbound837s(t *testing.T, out string, writeGolden bool) {
	t.Helper()
	sent := map[string]sentClaim{} // by our control number
	var files []string
	for _, partner := range partnerDirs(t, out) {
		names, err := filepath.Glob(filepath.Join(out, partner, "837*.x12"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range names {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			base := filepath.Base(p)
			mustValidate(t, partner+"/"+base, data, envelope.Claims)
			segs := x12Segments(t, base, data)
			typ := map[string]string{"005010X222A1": "837P", "005010X223A2": "837I"}[segs[1][8]]
			key := partner + "-" + typ
			if !strings.HasPrefix(base, typ+"-") {
				t.Errorf("%s/%s holds %s sets", partner, base, typ)
			}
			if slices.Contains(files, key) {
				t.Errorf("a second %s file: %s", key, base)
			}
			files = append(files, key)
			checkEnvelope(t, key, segs, partner)
			for control, c := range claimsOf(t, key, segs) {
				if _, dup := sent[control]; dup {
					t.Errorf("claim %s forwarded twice", control)
				}
				sent[control] = c
			}
			norm := normaliseOutbound837(t, key, data)
			golden := filepath.Join(e2eDir, "golden", key+".x12")
			if *updateGolden && writeGolden {
				if err := os.WriteFile(golden, norm, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Errorf("%v (run with -update to create it)", err)
				continue
			}
			if !bytes.Equal(norm, want) {
				t.Errorf("%s/%s differs from %s (run with -update if the change is intended):\n%s", partner, base, golden, firstDiff(norm, want))
			}
		}
	}
	slices.Sort(files)
	if !slices.Equal(files, e2eGoldens) {
		t.Errorf("outbound 837s %v, want %v", files, e2eGoldens)
	}
	for control, w := range e2eWant {
		s, ok := sent[control]
		if w.file == "" {
			if ok {
				t.Errorf("claim %s (%s) was forwarded in %s, want not forwarded", control, w.clm01, s.file)
			}
			continue
		}
		if !ok {
			t.Errorf("claim %s (%s) not found in any outbound 837, want it in %s", control, w.clm01, w.file)
			continue
		}
		refQual := "9A"
		wantF8 := ""
		if w.freq == "7" {
			refQual, wantF8 = "9C", w.replaces
		}
		if s.file != w.file || s.clm01 != w.clm01 || s.freq != w.freq || s.ref != refQual+":"+control || s.refF8 != wantF8 {
			t.Errorf("claim %s: in %s as CLM01 %s freq %s %s REF*F8 %q; want %s, %s, %s, %s:%s, %q",
				control, s.file, s.clm01, s.freq, s.ref, s.refF8, w.file, w.clm01, w.freq, refQual, control, wantF8)
		}
		if s.hcp != w.hcp {
			t.Errorf("claim %s (%s): 2300 %s, want %s", control, w.clm01, s.hcp, w.hcp)
		}
		if len(s.lines) != len(w.lines) {
			t.Errorf("claim %s: %d lines in the 837, want %d", control, len(s.lines), len(w.lines))
			continue
		}
		lineQual := map[string]string{"9A": "9B", "9C": "9D"}[refQual]
		for i, l := range w.lines {
			if s.lines[i] != l.hcp {
				t.Errorf("claim %s line %d: 2400 %s, want %s", control, i+1, s.lines[i], l.hcp)
			}
			if want := fmt.Sprintf("%s:%s-%d", lineQual, control, i+1); s.lineRefs[i] != want {
				t.Errorf("claim %s line %d: REF %s, want %s", control, i+1, s.lineRefs[i], want)
			}
		}
	}
}

// checkEnvelope checks the ISA/GS of an outbound 837: from us to the
// partner, its control numbers the partner's first, dates consistent.
func checkEnvelope(t *testing.T, key string, segs [][]string, partner string) {
	t.Helper()
	isa, gs := segs[0], segs[1]
	recv := strings.ToUpper(partner)
	if strings.TrimSpace(isa[6]) != "CLEARINGHOUSE" || strings.TrimSpace(isa[8]) != recv || gs[2] != "CLEARINGHOUSE" || gs[3] != recv {
		t.Errorf("%s: ISA %s → %s, GS %s → %s; want CLEARINGHOUSE → %s", key, isa[6], isa[8], gs[2], gs[3], recv)
	}
	if _, err := time.Parse("20060102 1504", gs[4]+" "+gs[5]); err != nil || isa[9] != gs[4][2:] || isa[10] != gs[5] {
		t.Errorf("%s: ISA09/ISA10 %s %s and GS04/GS05 %s %s disagree or are no date and time", key, isa[9], isa[10], gs[4], gs[5])
	}
	for _, s := range segs {
		if s[0] == "DTP" && s[1] == "050" {
			if _, err := time.Parse("20060102", s[3]); err != nil || s[2] != "D8" {
				t.Errorf("%s: received date %v", key, s)
			}
		}
		if s[0] == "NM1" && (s[1] == "41" || s[1] == "40") {
			want := map[string]string{"41": "CLEARINGHOUSE", "40": recv}[s[1]]
			if s[3] != want || s[9] != want {
				t.Errorf("%s: NM1*%s names %s/%s, want %s", key, s[1], s[3], s[9], want)
			}
		}
	}
}

// claimsOf lists the claims of an outbound 837 by their REF*9A/9C, with
// their HCP segments: the 2300 HCP (before the first LX) and one per line.
func claimsOf(t *testing.T, key string, segs [][]string) map[string]sentClaim {
	t.Helper()
	out := map[string]sentClaim{}
	var cur *sentClaim
	flush := func() {
		if cur == nil {
			return
		}
		control := strings.TrimPrefix(strings.TrimPrefix(cur.ref, "9A:"), "9C:")
		if control == "" {
			t.Errorf("%s: claim %s has no REF*9A/9C", key, cur.clm01)
		}
		out[control] = *cur
		cur = nil
	}
	for _, s := range segs {
		switch s[0] {
		case "CLM":
			flush()
			comp := strings.Split(s[5], ":")
			cur = &sentClaim{file: key, clm01: s[1], freq: comp[len(comp)-1]}
		case "HL", "SE":
			flush()
		}
		if cur == nil {
			continue
		}
		n := len(cur.lines)
		seg := strings.Join(s, "*")
		switch {
		case s[0] == "LX":
			cur.lines = append(cur.lines, "")
			cur.lineRefs = append(cur.lineRefs, "")
		case s[0] == "HCP" && n == 0:
			cur.hcp = seg
		case s[0] == "HCP":
			cur.lines[n-1] = seg
		case s[0] == "REF" && n == 0 && s[1] == "F8":
			cur.refF8 = s[2]
		case s[0] == "REF" && n == 0 && (s[1] == "9A" || s[1] == "9C"):
			cur.ref = s[1] + ":" + s[2]
		case s[0] == "REF" && n > 0 && (s[1] == "9B" || s[1] == "9D"):
			cur.lineRefs[n-1] = s[1] + ":" + s[2]
		}
	}
	flush()
	return out
}

// normaliseOutbound837 blanks what changes from run to run in an outbound
// 837: ISA09/ISA10 and GS04/GS05 (the forwarder's clock) and the DTP*050
// received date (when the file was recorded). The CLI exposes no clock,
// so these are replaced with same-width placeholders before comparing;
// every other byte is compared as written.
func normaliseOutbound837(t *testing.T, key string, data []byte) []byte {
	t.Helper()
	elem, term := string(data[3]), string(data[105])
	segs := strings.SplitAfter(string(data), term)
	n := 0
	for i, s := range segs {
		body := strings.TrimLeft(s, " \r\n")
		lead := s[:len(s)-len(body)]
		el := strings.Split(strings.TrimSuffix(body, term), elem)
		switch {
		case el[0] == "ISA" && len(el) == 17:
			el[9], el[10] = "YYMMDD", "HHMM"
		case el[0] == "GS" && len(el) == 9:
			el[4], el[5] = "CCYYMMDD", "HHMM"
		case el[0] == "DTP" && len(el) == 4 && el[1] == "050" && el[2] == "D8":
			el[3] = "CCYYMMDD"
		default:
			continue
		}
		n++
		segs[i] = lead + strings.Join(el, elem) + term
		if !strings.HasSuffix(body, term) {
			segs[i] = strings.TrimSuffix(segs[i], term)
		}
	}
	if n < 3 {
		t.Errorf("%s: only %d date fields normalised", key, n)
	}
	return []byte(strings.Join(segs, ""))
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got %q\nwant %q", i+1, gl, wl)
		}
	}
	return "(same lines, different bytes)"
}
