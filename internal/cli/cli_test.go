package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs the command line in-process and returns exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), append([]string{"--log-level", "error"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

const demo = "../../testdata/demo/"

func TestValidateExitStatus(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"clean 837I", []string{demo + "acme-837i-20261120-01.x12"}, 0},
		{"clean 837P", []string{demo + "acme-837p-20261120-01.x12"}, 0},
		{"rejected sets", []string{demo + "acme-837p-20261120-02-invalid.x12"}, 1},
		{"rejected interchange", []string{demo + "acme-837p-20261121-01-bad-envelope.x12"}, 1},
		{"one bad among good", []string{demo + "acme-837i-20261120-01.x12", demo + "acme-837p-20261120-02-invalid.x12"}, 1},
		{"missing file", []string{demo + "no-such-file.x12"}, 2},
		{"no arguments", nil, 2},
		{"unknown flag", []string{"--bogus", demo + "acme-837i-20261120-01.x12"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, append([]string{"validate"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
		})
	}
}

func TestValidateJSONContract(t *testing.T) {
	code, out, _ := run(t, "validate", "--json", demo+"acme-837p-20261120-02-invalid.x12", demo+"acme-837p-20261121-01-bad-envelope.x12")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	var files []map[string]any
	for dec.More() {
		var f map[string]any
		if err := dec.Decode(&f); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) != 2 {
		t.Fatalf("%d JSON objects, want one per file", len(files))
	}
	ic := files[0]["interchanges"].([]any)[0].(map[string]any)
	if ic["control"] != "000000103" || ic["ta1"].(map[string]any)["ack"] != "A" {
		t.Errorf("interchange = %v", ic)
	}
	g := ic["groups"].([]any)[0].(map[string]any)
	if g["ack"] != "R" || g["id"] != "HC" {
		t.Errorf("group = %v", g)
	}
	tx := g["transactions"].([]any)[0].(map[string]any)
	if tx["id"] != "837" || tx["version"] != "005010X222A1" || tx["ack"] != "R" {
		t.Errorf("transaction = %v", tx)
	}
	e := tx["errors"].([]any)[0].(map[string]any)
	for _, k := range []string{"segment_id", "segment_position", "loop", "element_position", "component_position", "ik3", "ik4", "offset", "message"} {
		if _, ok := e[k]; !ok {
			t.Errorf("error lacks %q: %v", k, e)
		}
	}
	if e["segment_id"] != "CLM" || e["segment_position"] != float64(37) || e["loop"] != "2300" || e["ik3"] != "8" {
		t.Errorf("first error = %v", e)
	}
	bad := files[1]["interchanges"].([]any)[0].(map[string]any)["ta1"].(map[string]any)
	if bad["ack"] != "R" || bad["note"] != "001" {
		t.Errorf("TA1 = %v", bad)
	}
}

func TestValidateAckDir(t *testing.T) {
	dir := t.TempDir()
	code, _, _ := run(t, "validate", "--ack-dir", dir, demo+"acme-837p-20261121-01-bad-envelope.x12", demo+"acme-837i-20261120-01.x12")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	var base []string
	for _, n := range names {
		base = append(base, filepath.Base(n))
	}
	// The engine's names (process), the input's base name standing for the
	// inbound file ID: 999-<file>-<ISA06>-<ISA13>-<GS06>, TA1-<file>-<ISA06>-<ISA13>.
	want := []string{"999-acme-837i-20261120-01-ACMEMED-000000102-1.x12", "TA1-acme-837p-20261121-01-bad-envelope-ACMEMED-000000104.x12"}
	if strings.Join(base, " ") != strings.Join(want, " ") {
		t.Fatalf("ack files %v, want %v", base, want)
	}
	// Our own acknowledgments pass our own validator (at the envelope
	// level: no 999/TA1 guide table, exit 3 and nothing rejected).
	for _, n := range names {
		want := 3
		if strings.HasPrefix(filepath.Base(n), "TA1") {
			want = 0 // an interchange and no set: nothing left unchecked
		}
		if code, out, _ := run(t, "validate", n); code != want {
			t.Errorf("%s does not validate (exit %d):\n%s", n, code, out)
		}
	}
}

// TestValidateHonoursConfig: validate reads --config: the identity is our
// sender in the acks it writes, and leniency turns an envelope error into
// a warning.
func TestValidateHonoursConfig(t *testing.T) {
	dir := t.TempDir()
	// The clean 837I with its SE01 off by one: an IK502 4 rejection, strict.
	data, err := os.ReadFile(demo + "acme-837i-20261120-01.x12")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "SE*193*", "SE*194*", 1)
	if bad == string(data) {
		t.Fatal("no SE*193* in the 837I")
	}
	in := filepath.Join(dir, "se01 off.x12")
	os.WriteFile(in, []byte(bad), 0o600)
	if code, out, _ := run(t, "validate", "--json", in); code != 1 || !strings.Contains(out, `"verdict":"rejected"`) {
		t.Fatalf("strict: exit %d\n%s", code, out)
	}
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("identity: {qualifier: ZZ, id: TESTHOUSE}\nleniency: {segment_count: true}\n"), 0o600)
	acks := filepath.Join(dir, "acks")
	// Accepted with a warning (IK5 E): exit 1 as for any error noted.
	code, out, errOut := run(t, "--config", cfg, "validate", "--json", "--ack-dir", acks, in)
	if code != 1 || !strings.Contains(out, `"verdict":"accepted"`) || !strings.Contains(out, `"ack":"E"`) {
		t.Fatalf("lenient: exit %d\n%s%s", code, out, errOut)
	}
	got, _ := filepath.Glob(filepath.Join(acks, "999-se01_off-ACMEMED-000000102-1.x12"))
	if len(got) != 1 {
		names, _ := filepath.Glob(filepath.Join(acks, "*"))
		t.Fatalf("acks %v", names)
	}
	ackData, _ := os.ReadFile(got[0])
	if !strings.Contains(string(ackData), "*ZZ*TESTHOUSE      *") || !strings.Contains(string(ackData), "GS*FA*TESTHOUSE*") {
		t.Errorf("999 not sent as the configured identity:\n%s", ackData)
	}
	os.WriteFile(cfg, []byte("bogus_key: 1\n"), 0o600)
	if code, _, _ := run(t, "--config", cfg, "validate", in); code != 2 {
		t.Errorf("bad config: exit %d, want 2", code)
	}
}

// TestValidateEnvelopeOnly: a set whose body is not checked (no guide
// table: 999 here) is never called "accepted": the verdict says "envelope
// only" in text and JSON and the exit status is 3, below any rejection.
func TestValidateEnvelopeOnly(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := run(t, "validate", "--ack-dir", dir, demo+"acme-837p-20261120-01.x12"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	acks, _ := filepath.Glob(filepath.Join(dir, "999-*"))
	if len(acks) != 1 {
		t.Fatalf("999 files %v", acks)
	}
	ack999 := acks[0]
	code, out, _ := run(t, "validate", ack999)
	if code != 3 || !strings.Contains(out, ": envelope only") || strings.Contains(out, ": accepted") {
		t.Fatalf("999: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "validate", "--json", ack999)
	var rep struct {
		Verdict      string `json:"verdict"`
		Accepted     bool   `json:"accepted"`
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
	if code != 3 || rep.Verdict != "envelope only" || rep.EnvelopeOnly != 1 || rep.Interchanges[0].Groups[0].Transactions[0].BodyChecked {
		t.Fatalf("999 JSON: exit %d %+v", code, rep)
	}
	code, out, _ = run(t, "validate", "--json", demo+"acme-837p-20261120-01.x12")
	rep.Verdict = ""
	json.Unmarshal([]byte(out), &rep)
	if code != 0 || rep.Verdict != "accepted" || rep.EnvelopeOnly != 0 {
		t.Fatalf("837P JSON: exit %d %+v", code, rep)
	}
	for _, tt := range []struct {
		files []string
		code  int
	}{
		{[]string{demo + "acme-837p-20261120-01.x12", ack999}, 3},
		{[]string{ack999, demo + "acme-837p-20261120-02-invalid.x12"}, 1},
		{[]string{ack999, filepath.Join(dir, "missing.x12")}, 2},
	} {
		if code, _, _ := run(t, append([]string{"validate"}, tt.files...)...); code != tt.code {
			t.Errorf("%v: exit %d, want %d", tt.files, code, tt.code)
		}
	}
	_, help, _ := run(t, "validate", "--help")
	for _, g := range []string{"837P (005010X222A1)", "837I (005010X223A2)", "envelope only", "3 when"} {
		if !strings.Contains(help, g) {
			t.Errorf("validate --help does not say %q", g)
		}
	}
}

func TestGenIsDeterministicAndValid(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.x12"), filepath.Join(dir, "b.x12")
	for _, p := range []string{a, b} {
		if code, _, errOut := run(t, "gen", "--type", "837I", "--claims", "150", "--seed", "7", "--out", p); code != 0 {
			t.Fatalf("gen: %s", errOut)
		}
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if len(da) == 0 || !bytes.Equal(da, db) {
		t.Fatal("gen is not deterministic")
	}
	if code, out, _ := run(t, "validate", a); code != 0 {
		t.Fatalf("generated file does not validate:\n%s", out)
	}
	if code, _, _ := run(t, "gen", "--type", "835", "--claims", "1"); code != 2 {
		t.Fatalf("bad --type: exit %d", code)
	}
}

func TestTranslate(t *testing.T) {
	code, out, errOut := run(t, "translate", "--pretty", demo+"acme-837i-20261120-01.x12")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		File         string `json:"file"`
		Transactions []struct {
			Kind             string `json:"kind"`
			BillingProviders []struct {
				Subscribers []struct {
					Claims []struct {
						PCN   string `json:"patient_control_number"`
						Lines []any  `json:"lines"`
					} `json:"claims"`
				} `json:"subscribers"`
			} `json:"billing_providers"`
		} `json:"transactions"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out[:min(len(out), 500)])
	}
	claims := 0
	for _, tx := range doc.Transactions {
		if tx.Kind != "837I" {
			t.Errorf("kind %q", tx.Kind)
		}
		for _, bp := range tx.BillingProviders {
			for _, s := range bp.Subscribers {
				for _, c := range s.Claims {
					if c.PCN == "" || len(c.Lines) == 0 {
						t.Errorf("claim without CLM01 or lines: %+v", c)
					}
					claims++
				}
			}
		}
	}
	if claims == 0 {
		t.Fatal("no claims translated")
	}
}

func TestProcessJSONContract(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	args := []string{"--data-dir", filepath.Join(dir, "var"), "process", "--json", "--partner", "acme", "--out", out,
		demo + "acme-837p-20261120-01.x12", demo + "acme-837p-20261120-02-invalid.x12", demo + "acme-837p-20261120-03-resend.x12"}
	code, stdout, errOut := run(t, args...)
	if code != 1 { // the invalid file's sets are rejected
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Files []struct {
			State  string `json:"state"`
			Claims []struct {
				CLM01     string   `json:"clm01"`
				Control   string   `json:"claim_control_number"`
				Frequency string   `json:"frequency"`
				Outcome   string   `json:"outcome"`
				Reasons   []string `json:"reasons"`
				Billed    int64    `json:"billed_cents"`
			} `json:"claims"`
		} `json:"files"`
		Duplicates []struct {
			File string `json:"file"`
		} `json:"duplicate_files"`
		Delivered []string `json:"delivered"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Files) != 2 || len(doc.Duplicates) != 1 {
		t.Fatalf("files %d duplicates %d", len(doc.Files), len(doc.Duplicates))
	}
	if doc.Files[0].State != "processed" || len(doc.Files[0].Claims) != 24 {
		t.Fatalf("first file: %s with %d claims", doc.Files[0].State, len(doc.Files[0].Claims))
	}
	c := doc.Files[0].Claims[0]
	if c.CLM01 == "" || c.Control == "" || c.Frequency != "1" || c.Outcome != "accepted" || c.Billed <= 0 || c.Reasons == nil {
		t.Errorf("claim = %+v", c)
	}
	for _, r := range doc.Files[1].Claims {
		if r.Outcome != "rejected" || len(r.Reasons) == 0 {
			t.Errorf("claim of a rejected set: %+v", r)
		}
	}
	if len(doc.Delivered) != 4 { // two 999s and the 277CAs of the two accepted sets
		t.Fatalf("delivered %v", doc.Delivered)
	}
	for _, p := range doc.Delivered {
		if !strings.HasPrefix(p, filepath.Join(out, "acme")+string(os.PathSeparator)) {
			t.Errorf("output %s not under DIR/<partner>/", p)
		}
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	// Running the same files again: every file is a duplicate, nothing new.
	code, stdout, _ = run(t, args...)
	if code != 0 || !strings.Contains(stdout, `"duplicate_files"`) {
		t.Fatalf("second run exit %d", code)
	}
	var again struct {
		Files      []any `json:"files"`
		Duplicates []any `json:"duplicate_files"`
	}
	json.Unmarshal([]byte(stdout), &again)
	if len(again.Files) != 0 || len(again.Duplicates) != 3 {
		t.Errorf("second run: %d files, %d duplicates", len(again.Files), len(again.Duplicates))
	}
}

// TestProcessExitStatus: process follows the validate contract (0 all
// accepted, 1 anything rejected, 2 unreadable input or usage).
func TestProcessExitStatus(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.x12")
	notX12 := filepath.Join(dir, "notes.txt")
	os.WriteFile(empty, nil, 0o600)
	os.WriteFile(notX12, []byte("member list, not an interchange\n"), 0o600)
	for _, tt := range []struct {
		name  string
		files []string
		code  int
	}{
		{"clean", []string{demo + "acme-837p-20261120-01.x12"}, 0},
		{"rejected sets", []string{demo + "acme-837p-20261120-02-invalid.x12"}, 1},
		{"rejected interchange", []string{demo + "acme-837p-20261121-01-bad-envelope.x12"}, 1},
		{"empty file", []string{empty}, 1},
		{"not X12", []string{notX12}, 1},
		{"one bad among good", []string{demo + "acme-837i-20261120-01.x12", demo + "acme-837p-20261120-02-invalid.x12"}, 1},
		{"directory", []string{dir}, 2},
		{"missing file", []string{filepath.Join(dir, "nope.x12")}, 2},
		{"missing among bad", []string{filepath.Join(dir, "nope.x12"), demo + "acme-837p-20261120-02-invalid.x12"}, 2},
		{"no arguments", nil, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := t.TempDir()
			args := append([]string{"--data-dir", filepath.Join(d, "var"), "process", "--out", filepath.Join(d, "out")}, tt.files...)
			code, out, errOut := run(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
		})
	}
	// A file already processed is reported as a duplicate: nothing is
	// rejected by that run.
	d := t.TempDir()
	args := []string{"--data-dir", filepath.Join(d, "var"), "process", "--out", filepath.Join(d, "out"), demo + "acme-837p-20261120-01.x12"}
	for i := 0; i < 2; i++ {
		if code, out, errOut := run(t, args...); code != 0 {
			t.Fatalf("run %d: exit %d\n%s%s", i+1, code, out, errOut)
		}
	}
}

// TestCorpusExitStatus runs validate over every public sample: any file,
// healthcare or not, 5010 or not, ends with exit 0, 1 or 3 (envelope
// only), never a crash or 2.
func TestCorpusExitStatus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpustest.Dir(t), "*", "*"))
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".tsv") || strings.HasSuffix(f, ".md") {
			continue
		}
		n++
		code, _, errOut := run(t, "validate", "--json", f)
		if code != 0 && code != 1 && code != 3 {
			t.Errorf("%s: exit %d: %s", filepath.Base(f), code, errOut)
		}
	}
	if n < 700 {
		t.Errorf("only %d corpus files", n)
	}
}

// TestCorpusInvalid837sRejected: every 837P/837I that its source marks
// invalid is not accepted (exit 1, "accepted": false).
func TestCorpusInvalid837sRejected(t *testing.T) {
	corpus := corpustest.Dir(t)
	data, err := os.ReadFile(filepath.Join(corpus, "PROVENANCE.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	header := strings.Split(lines[0], "\t")
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	checked := 0
	for _, line := range lines[1:] {
		f := strings.Split(line, "\t")
		if len(f) <= col["invalid_by_source"] || f[col["invalid_by_source"]] != "yes" {
			continue
		}
		if typ := f[col["type"]]; typ != "837P" && typ != "837I" {
			continue
		}
		checked++
		code, out, _ := run(t, "validate", "--json", filepath.Join(corpus, f[col["file"]]))
		if code != 1 || !strings.Contains(out, `"accepted":false`) {
			t.Errorf("%s: marked invalid by its source but exit %d", f[col["file"]], code)
		}
	}
	if checked == 0 {
		t.Fatal("no invalid 837 in the corpus index")
	}
}

// TestProcessRoutesAndReprices sends professional and institutional claims
// for three payer IDs through `process` with the shipped route table and
// the synthetic schedules: each TPA gets its repriced 837s under
// DIR/<partner>/, they validate, and every claim reports its partner,
// method and amounts.
func TestProcessRoutesAndReprices(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	cfg := `
partners:
  - {id: acme}
  - {id: relayhealth}
  - {id: optum}
routes:
  - {payer_id: "2712", claim_type: P, partner: relayhealth}
  - {payer_id: "1935", claim_type: I, partner: relayhealth}
  - {payer_id: "88461", partner: optum}
repricing:
  source: files
  schedules_dir: ../../testdata/schedules
  contracts: ../../testdata/schedules/contracts.yaml
`
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, errOut := run(t, "--config", cfgPath, "--data-dir", filepath.Join(dir, "var"), "process", "--json", "--partner", "acme", "--out", out,
		demo+"acme-837p-20261120-01.x12", demo+"acme-837i-20261120-01.x12")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Files []struct {
			Claims []struct {
				CLM01   string `json:"clm01"`
				Outcome string `json:"outcome"`
				Partner string `json:"partner"`
				Method  string `json:"method"`
				Billed  int64  `json:"billed_cents"`
				Allowed *int64 `json:"allowed_cents"`
				Lines   []struct {
					Billed  int64  `json:"billed_cents"`
					Allowed *int64 `json:"allowed_cents"`
				} `json:"lines"`
			} `json:"claims"`
		} `json:"files"`
		Delivered []string `json:"delivered"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	perPartner := map[string]int{}
	for _, f := range doc.Files {
		for _, c := range f.Claims {
			if c.Outcome != "forwarded" || c.Partner == "" || c.Method == "" || c.Allowed == nil || len(c.Lines) == 0 {
				t.Errorf("claim %s: %+v", c.CLM01, c)
				continue
			}
			perPartner[c.Partner]++
			if *c.Allowed > c.Billed && c.Method != "per_diem" && c.Method != "drg" && c.Method != "case_rate" {
				t.Errorf("claim %s: allowed %d above billed %d with %s", c.CLM01, *c.Allowed, c.Billed, c.Method)
			}
		}
	}
	if perPartner["relayhealth"] == 0 || perPartner["optum"] == 0 {
		t.Fatalf("claims per partner %v", perPartner)
	}
	// Every forwarded 837 is under DIR/<partner>/, carries HCP segments and
	// passes our own validator.
	n := 0
	for _, p := range doc.Delivered {
		base := filepath.Base(p)
		if !strings.HasPrefix(base, "837") {
			continue
		}
		n++
		partner := filepath.Base(filepath.Dir(p))
		if partner != "relayhealth" && partner != "optum" {
			t.Errorf("%s delivered to %s", base, partner)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "HCP*") || !strings.Contains(string(data), "REF*9A*CH") {
			t.Errorf("%s lacks repricing segments", base)
		}
		if code, out, _ := run(t, "validate", p); code != 0 {
			t.Errorf("%s does not validate:\n%s", base, out)
		}
	}
	if n < 3 {
		t.Fatalf("%d forwarded 837 files", n)
	}
}
