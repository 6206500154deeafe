package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
)

// repriceFiles are the schedule and contract flags of the repository's
// synthetic schedules, as seen from this package.
var repriceFiles = []string{"--schedules", schedules, "--contracts", schedules + "contracts.yaml"}

// repriceDoc runs `reprice --json` and decodes its output.
func repriceDoc(t *testing.T, wantCode int, args ...string) repriceJSON {
	t.Helper()
	code, out, errOut := run(t, append([]string{"reprice", "--json"}, args...)...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, wantCode, out, errOut)
	}
	var doc repriceJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	return doc
}

// repriceDemoTests are hand-computed claims of the demo files.
var repriceDemoTests = []struct {
	name, file string
	claims     int
	want       repriceClaimJSON
}{
	{
		name: "837P lesser-of fee schedule", file: "acme-837p-20261120-01.x12", claims: 24,
		// Payer 2712, 2024-05-22: G0008 POS 11 row 30.00 < 36.00; ZZ002
		// 4 × 40.00 = 160.00 < 309.00; E0601 180.00 < 188.00; ZZ002
		// 5 × 40.00 = 200.00 > 60.00, so the charge. 430.00 of 593.00.
		want: repriceClaimJSON{CLM01: "PCN0045000000002", Contract: "ALLIANCE-PROF", Method: "lesser_of_fee",
			BilledCents: 59300, AllowedCents: 43000, SavingsCents: 16300, HCP01: "02", Lines: []repriceLineJSON{
				{Line: 1, Code: "G0008", BilledCents: 3600, AllowedCents: 3000, SavingsCents: 600, HCP01: "02", Priced: true},
				{Line: 2, Code: "ZZ002", BilledCents: 30900, AllowedCents: 16000, SavingsCents: 14900, HCP01: "02", Priced: true},
				{Line: 3, Code: "E0601", BilledCents: 18800, AllowedCents: 18000, SavingsCents: 800, HCP01: "02", Priced: true},
				{Line: 4, Code: "ZZ002", BilledCents: 6000, AllowedCents: 6000, SavingsCents: 0, HCP01: "02", Priced: true},
			}},
	},
	{
		name: "837P unpriced line at 50 percent of charges", file: "acme-837p-20261120-01.x12", claims: 24,
		// G0009 35.00 < 35.19; J3420 is not in the schedule: 50 % × 28.90
		// = 14.45; 02 and 03 make 08.
		want: repriceClaimJSON{CLM01: "PCN0045000000004", Contract: "ALLIANCE-PROF", Method: "lesser_of_fee",
			BilledCents: 6409, AllowedCents: 4945, SavingsCents: 1464, HCP01: "08", Lines: []repriceLineJSON{
				{Line: 1, Code: "G0009", BilledCents: 3519, AllowedCents: 3500, SavingsCents: 19, HCP01: "02", Priced: true},
				{Line: 2, Code: "J3420", BilledCents: 2890, AllowedCents: 1445, SavingsCents: 1445, HCP01: "03"},
			}},
	},
	{
		name: "837I outpatient percent of charges", file: "acme-837i-20261120-01.x12", claims: 8,
		// Payer 1935 type of bill 13: 65 % per line, 389.49 → 253.1685 →
		// 253.17, 24.80 → 16.12, 400.80 → 260.52; 529.81 of 815.09.
		want: repriceClaimJSON{CLM01: "PCN5712000000003", Contract: "ALLIANCE-INST", Method: "percent_of_charges",
			BilledCents: 81509, AllowedCents: 52981, SavingsCents: 28528, HCP01: "03", Lines: []repriceLineJSON{
				{Line: 1, Code: "ZZ002", RevenueCode: "0300", BilledCents: 38949, AllowedCents: 25317, SavingsCents: 13632, HCP01: "03", Priced: true},
				{Line: 2, Code: "J1100", RevenueCode: "0636", BilledCents: 2480, AllowedCents: 1612, SavingsCents: 868, HCP01: "03", Priced: true},
				{Line: 3, Code: "ZZ002", RevenueCode: "0300", BilledCents: 40080, AllowedCents: 26052, SavingsCents: 14028, HCP01: "03", Priced: true},
			}},
	},
	{
		name: "837I inpatient on payer 88461 at 70 percent", file: "acme-837i-20261120-01.x12", claims: 8,
		want: repriceClaimJSON{CLM01: "PCN5712000000005", Contract: "ALLIANCE-88461", Method: "percent_of_charges",
			BilledCents: 1245000, AllowedCents: 871500, SavingsCents: 373500, HCP01: "03", Lines: []repriceLineJSON{
				{Line: 1, RevenueCode: "0120", BilledCents: 1245000, AllowedCents: 871500, SavingsCents: 373500, HCP01: "03", Priced: true},
			}},
	},
}

func TestRepriceDemo(t *testing.T) {
	for _, tt := range repriceDemoTests {
		t.Run(tt.name, func(t *testing.T) {
			doc := repriceDoc(t, 0, append(repriceFiles, demo+tt.file)...)
			if doc.File != demo+tt.file || len(doc.Claims) != tt.claims {
				t.Fatalf("file %q with %d claims, want %d", doc.File, len(doc.Claims), tt.claims)
			}
			found := false
			for _, c := range doc.Claims {
				checkClaimSums(t, c)
				if c.CLM01 == tt.want.CLM01 {
					found = true
					if !reflect.DeepEqual(c, tt.want) {
						t.Errorf("got  %+v\nwant %+v", c, tt.want)
					}
				}
			}
			if !found {
				t.Errorf("no claim %s", tt.want.CLM01)
			}
		})
	}
}

// checkClaimSums checks the invariants of a priced line-level claim:
// savings = billed − allowed, and the claim is the sum of its lines.
func checkClaimSums(t *testing.T, c repriceClaimJSON) {
	t.Helper()
	if c.Error != "" || c.Contract == "" || c.HCP01 == "" {
		t.Errorf("%s not priced: %+v", c.CLM01, c)
		return
	}
	var billed, allowed int64
	for _, l := range c.Lines {
		billed += l.BilledCents
		allowed += l.AllowedCents
		if l.SavingsCents != l.BilledCents-l.AllowedCents {
			t.Errorf("%s line %d: savings %d ≠ %d − %d", c.CLM01, l.Line, l.SavingsCents, l.BilledCents, l.AllowedCents)
		}
	}
	if c.SavingsCents != c.BilledCents-c.AllowedCents || billed != c.BilledCents || allowed != c.AllowedCents {
		t.Errorf("%s: billed %d allowed %d savings %d; lines billed %d allowed %d", c.CLM01, c.BilledCents, c.AllowedCents, c.SavingsCents, billed, allowed)
	}
}

func TestRepriceText(t *testing.T) {
	code, out, errOut := run(t, append(append([]string{"reprice"}, repriceFiles...), demo+"acme-837p-20261120-01.x12")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	want := [][]string{
		{"PCN0045000000002", "ALLIANCE-PROF", "lesser_of_fee", "593.00", "430.00", "163.00", "02"},
		{"line", "4", "ZZ002", "priced", "60.00", "60.00", "0.00", "02"},
		{"line", "2", "J3420", "unpriced", "rule", "28.90", "14.45", "14.45", "03"},
		{"24", "claims:", "24", "priced,", "0", "not", "priced;"},
	}
	lines := strings.Split(out, "\n")
	for _, w := range want {
		found := false
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) >= len(w) && reflect.DeepEqual(f[:len(w)], w) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no line starting %q in:\n%s", strings.Join(w, " "), out)
		}
	}
}

func TestRepriceOut(t *testing.T) {
	for _, file := range []string{"acme-837p-20261120-01.x12", "acme-837i-20261120-01.x12"} {
		t.Run(file, func(t *testing.T) {
			in, err := os.ReadFile(demo + file)
			if err != nil {
				t.Fatal(err)
			}
			outFile := filepath.Join(t.TempDir(), "repriced.x12")
			args := append(append([]string{"--out", outFile, "--received", "20261121"}, repriceFiles...), demo+file)
			doc := repriceDoc(t, 0, args...)
			out, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			if validateStatus(t, in) != 0 {
				t.Fatal("input does not validate")
			}
			if s := validateStatus(t, out); s != 0 {
				t.Errorf("repriced output: validate status %d", s)
			}
			if code, vout, _ := run(t, "validate", outFile); code != 0 {
				t.Errorf("validate %s: exit %d\n%s", outFile, code, vout)
			}
			added := checkOnlyAdded(t, string(in), string(out))
			claimHCP, lineHCP := 0, 0
			for _, c := range doc.Claims {
				claimHCP++
				lineHCP += len(c.Lines)
			}
			if added["DTP*050*D8*20261121"] != claimHCP || added["REF*9A"] != claimHCP || added["REF*9B"] != lineHCP ||
				added["HCP"] != claimHCP+lineHCP {
				t.Errorf("added %v for %d claims with %d lines", added, claimHCP, lineHCP)
			}
			// The HCP segments carry the printed amounts, the claim's with
			// our ID, in claim and line order.
			var want, got []string
			for _, c := range doc.Claims {
				want = append(want, "HCP*"+c.HCP01+"*"+x12Money(c.AllowedCents)+"*"+x12Money(c.SavingsCents)+"*CLEARINGHOUSE~")
				for _, l := range c.Lines {
					want = append(want, "HCP*"+l.HCP01+"*"+x12Money(l.AllowedCents)+"*"+x12Money(l.SavingsCents)+"~")
				}
			}
			for _, l := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(l, "HCP*") {
					got = append(got, l)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("HCP segments:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// Repricing the repriced file gives the same prices and the
			// same file.
			again := filepath.Join(t.TempDir(), "again.x12")
			args = append(append([]string{"--out", again, "--received", "20261121"}, repriceFiles...), outFile)
			doc2 := repriceDoc(t, 0, args...)
			doc2.File = doc.File
			if !reflect.DeepEqual(doc, doc2) {
				t.Error("the repriced file prices differently")
			}
			if b, _ := os.ReadFile(again); !bytes.Equal(b, out) {
				t.Error("repricing the repriced file changed it")
			}
		})
	}
}

// validateStatus returns validate.Run's status for data.
func validateStatus(t *testing.T, data []byte) int {
	t.Helper()
	res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Status()
}

// x12Money formats cents as an X12 R value (no trailing zeros).
func x12Money(cents int64) string {
	s := money(cents)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// checkOnlyAdded checks that out is in with segments added and SE01
// changed only (one segment per line in both), and counts the added
// segments by kind: "HCP", "REF*9A", "REF*9B", "DTP*050*D8*<date>".
func checkOnlyAdded(t *testing.T, in, out string) map[string]int {
	t.Helper()
	a, b := strings.Split(in, "\n"), strings.Split(out, "\n")
	added := map[string]int{}
	i := 0
	for _, s := range b {
		switch {
		case i < len(a) && s == a[i]:
			i++
		case i < len(a) && strings.HasPrefix(s, "SE*") && strings.HasPrefix(a[i], "SE*"):
			i++
		case strings.HasPrefix(s, "HCP*"):
			added["HCP"]++
		case strings.HasPrefix(s, "REF*9A*"), strings.HasPrefix(s, "REF*9B*"):
			added[s[:6]]++
		case strings.HasPrefix(s, "DTP*050*"):
			added[strings.TrimSuffix(s, "~")]++
		default:
			t.Fatalf("output line %q is neither input line %d %q nor a repricer segment", s, i+1, a[min(i, len(a)-1)])
		}
	}
	if i != len(a) {
		t.Fatalf("input from line %d (%q) missing in the output", i+1, a[i])
	}
	return added
}

// noDefaultContracts prices payer 2712 professional claims only.
const noDefaultContracts = `contracts:
  - id: ALLIANCE-PROF
    match:
      - {payer_id: "2712", claim_type: P}
    method: lesser_of_fee
    schedules: {fee: fee_professional}
    unpriced: {action: percent_of_charges, percent: 50}
`

func TestRepriceUnpriced(t *testing.T) {
	contracts := filepath.Join(t.TempDir(), "contracts.yaml")
	if err := os.WriteFile(contracts, []byte(noDefaultContracts), 0o600); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(t.TempDir(), "out.x12")
	args := []string{"--schedules", schedules, "--contracts", contracts, "--out", outFile, demo + "acme-837p-20261120-01.x12"}
	doc := repriceDoc(t, 1, args...)
	var priced, unpriced int
	for _, c := range doc.Claims {
		if c.Error == "" {
			priced++
			checkClaimSums(t, c)
			continue
		}
		unpriced++
		if !strings.Contains(c.Error, "no contract matches claim") || c.Contract != "" || c.HCP01 != "" || c.AllowedCents != 0 {
			t.Errorf("unpriced claim %+v", c)
		}
	}
	if priced == 0 || unpriced == 0 || priced+unpriced != 24 {
		t.Fatalf("%d priced, %d unpriced", priced, unpriced)
	}
	// The file is still written, the unpriced claims without HCP.
	out, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "HCP*") && strings.HasSuffix(l, "*CLEARINGHOUSE~") {
			n++
		}
	}
	if n != priced {
		t.Errorf("%d claim HCP segments for %d priced claims", n, priced)
	}
	if validateStatus(t, out) != 0 {
		t.Error("output does not validate")
	}
	code, text, _ := run(t, append([]string{"reprice"}, args...)...)
	if code != 1 || !strings.Contains(text, "NOT PRICED") || !strings.Contains(text, "not priced;") {
		t.Errorf("text: exit %d\n%s", code, text)
	}
}

func TestRepriceExitStatus(t *testing.T) {
	dir := t.TempDir()
	notX12 := filepath.Join(dir, "empty.x12")
	if err := os.WriteFile(notX12, []byte("ISA*00*          *00*          *ZZ*A              *ZZ*B              *260115*1030*^*00501*000000001*0*T*:~\nIEA*0*000000001~\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badCSV := filepath.Join(dir, "sched")
	if err := os.Mkdir(badCSV, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(badCSV, "fee_professional.csv"), []byte("code,modifier,pos,amount,effective_from,effective_to\nA0428,,,abc,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.x12")
	if err := os.WriteFile(junk, []byte("NOT X12~\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := demo + "acme-837p-20261120-01.x12"
	for _, tt := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing file", append(repriceFiles, demo+"no-such-file.x12"), 2, "no such file"},
		{"no arguments", nil, 2, "accepts 1 arg"},
		{"two files", append(repriceFiles, p, p), 2, "accepts 1 arg"},
		{"bad received date", append(repriceFiles, "--received", "2026-11-21", p), 2, "--received"},
		{"from-store with schedules", []string{"--from-store", "--schedules", schedules, p}, 2, "--from-store"},
		{"missing schedules directory", []string{"--schedules", filepath.Join(dir, "none"), "--contracts", schedules + "contracts.yaml", p}, 2, "no such file"},
		{"invalid schedule", []string{"--schedules", badCSV, "--contracts", schedules + "contracts.yaml", p}, 2, "fee_professional.csv"},
		{"missing contracts", []string{"--schedules", schedules, "--contracts", filepath.Join(dir, "none.yaml"), p}, 2, "none.yaml"},
		{"no claims", append(repriceFiles, notX12), 1, "no 837P/837I claims"},
		{"unreadable X12 with --out", append(repriceFiles, "--out", filepath.Join(dir, "o.x12"), junk), 2, "without --out"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"reprice"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.msg) {
				t.Fatalf("exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", code, tt.code, tt.msg, out, errOut)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "o.x12")); !os.IsNotExist(err) {
		t.Errorf("--out file written for unreadable input: %v", err)
	}
}

// TestRepriceDefaults runs from the repository root, where the default
// --schedules and --contracts are.
func TestRepriceDefaults(t *testing.T) {
	want := repriceDoc(t, 0, append(repriceFiles, demo+"acme-837i-20261120-01.x12")...)
	t.Chdir("../..")
	got := repriceDoc(t, 0, "testdata/demo/acme-837i-20261120-01.x12")
	got.File = want.File
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default schedules price differently:\n%+v\n%+v", got, want)
	}
}

// TestRepriceFromStore imports the repository's schedules and contracts
// into a database and checks that --from-store prices as the files do.
func TestRepriceFromStore(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			db := []string{"--data-dir", t.TempDir(), "--database", be.URL(t)}
			code, _, errOut := run(t, append(db, "reprice", "--from-store", demo+"acme-837p-20261120-01.x12")...)
			if code != 2 || !strings.Contains(errOut, "no contract set") {
				t.Fatalf("empty store: exit %d: %s", code, errOut)
			}
			names, _ := filepath.Glob(schedules + "*.csv")
			for _, n := range names {
				if code, out, errOut := run(t, append(db, "schedule", "import", n)...); code != 0 {
					t.Fatalf("import %s: exit %d\n%s%s", n, code, out, errOut)
				}
			}
			if code, out, errOut := run(t, append(db, "schedule", "import-contracts", schedules+"contracts.yaml")...); code != 0 {
				t.Fatalf("import-contracts: exit %d\n%s%s", code, out, errOut)
			}
			for _, file := range []string{"acme-837p-20261120-01.x12", "acme-837i-20261120-01.x12"} {
				want := repriceDoc(t, 0, append(repriceFiles, demo+file)...)
				code, out, errOut := run(t, append(db, "reprice", "--json", "--from-store", demo+file)...)
				if code != 0 {
					t.Fatalf("%s: exit %d\n%s", file, code, errOut)
				}
				var got repriceJSON
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: --from-store prices differently", file)
				}
			}
		})
	}
}
