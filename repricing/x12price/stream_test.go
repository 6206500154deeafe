package x12price_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// reprice runs Reprice over data with testOptions and returns the output
// and the outcomes.
func reprice(t *testing.T, eng *repricing.Engine, data []byte) ([]byte, []*x12price.Outcome) {
	t.Helper()
	var out bytes.Buffer
	var outcomes []*x12price.Outcome
	err := x12price.Reprice(context.Background(), eng, bytes.NewReader(data), &out,
		x12price.FileOptions{Apply: testOptions}, func(o *x12price.Outcome) error {
			outcomes = append(outcomes, o)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), outcomes
}

// status validates data and returns validate's status (0 clean).
func status(t *testing.T, data []byte) (int, string) {
	t.Helper()
	res, err := validate.Run(context.Background(), bytes.NewReader(data), validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, ic := range validate.Report("out", res).Interchanges {
		for _, g := range ic.Groups {
			for _, tx := range g.Transactions {
				for _, e := range tx.Errors {
					b.WriteString(e.SegmentID + " " + e.Message + "\n")
				}
			}
		}
	}
	return res.Status(), b.String()
}

// TestGolden reprices every testdata/*.x12 file and compares the output
// with testdata/<name>.golden; the output keeps every input segment byte
// for byte, validates as cleanly as the input and reprices to itself.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.x12")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	eng := repoEngine(t)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".x12")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if s, errs := status(t, in); s != 0 {
				t.Fatalf("input does not validate (%d):\n%s", s, errs)
			}
			out, outcomes := reprice(t, eng, in)
			for _, o := range outcomes {
				if o.Err != nil {
					t.Errorf("%s: %v", o.Input.ID, o.Err)
				}
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			} else {
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if !bytes.Equal(out, want) {
					t.Errorf("output differs from %s (run go test -update and review the diff)\ngot:\n%s", golden, out)
				}
			}
			checkUntouched(t, in, out)
			if s, errs := status(t, out); s != 0 {
				t.Errorf("repriced output does not validate (%d):\n%s", s, errs)
			}
			// Repricing the output again replaces every repricer segment
			// in place: nothing changes.
			if again, _ := reprice(t, eng, out); !bytes.Equal(again, out) {
				t.Errorf("repricing the output changed it:\n%s", again)
			}
		})
	}
}

// TestRepriceWithoutWriter checks that Reprice without w reports the same
// prices and edits nothing.
func TestRepriceWithoutWriter(t *testing.T) {
	eng := repoEngine(t)
	in, err := os.ReadFile("testdata/837p_lesser_of.x12")
	if err != nil {
		t.Fatal(err)
	}
	_, want := reprice(t, eng, in)
	var got []*x12price.Outcome
	err = x12price.Reprice(context.Background(), eng, bytes.NewReader(in), nil, x12price.FileOptions{Apply: testOptions},
		func(o *x12price.Outcome) error { got = append(got, o); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) == 0 {
		t.Fatalf("%d outcomes without writer, %d with", len(got), len(want))
	}
	for i := range got {
		if got[i].Result.Claim != want[i].Result.Claim || got[i].Location != want[i].Location {
			t.Errorf("claim %d: %+v %+v, want %+v %+v", i, got[i].Location, got[i].Result.Claim, want[i].Location, want[i].Result.Claim)
		}
		if got[i].Context.Claim.Pricing != nil {
			t.Errorf("claim %d edited without a writer", i)
		}
	}
}

// TestRepriceStream covers what surrounds the 837 sets: several
// interchanges with different delimiters, a set that is not an 837,
// unpriced claims, report errors and unreadable input.
func TestRepriceStream(t *testing.T) {
	p, err := os.ReadFile("testdata/837p_lesser_of.x12")
	if err != nil {
		t.Fatal(err)
	}
	// The same interchange with other delimiters: | elements, } components,
	// ! segments, no line breaks.
	alt := strings.NewReplacer("*", "|", ":", "}", "~\n", "!").Replace(string(p))
	nonClaim := "ISA*00*          *00*          *ZZ*SYNTHSUBMIT    *ZZ*CLEARINGHOUSE  *260115*1030*^*00501*000000309*0*T*:~\n" +
		"GS*HP*SYNTHSUBMIT*CLEARINGHOUSE*20260115*1030*309*X*005010X221A1~\n" +
		"ST*835*0001~\n  BPR*H*0*C*NON************20260115~\nSE*3*0001~\nGE*1*309~\nIEA*1*000000309~\n"
	in := string(p) + alt + nonClaim

	eng := repoEngine(t)
	out, outcomes := reprice(t, eng, []byte(in))
	if len(outcomes) != 8 {
		t.Fatalf("%d outcomes, want 4 claims × 2 interchanges", len(outcomes))
	}
	want, err := os.ReadFile("testdata/837p_lesser_of.golden")
	if err != nil {
		t.Fatal(err)
	}
	altWant := strings.NewReplacer("*", "|", ":", "}", "~\n", "!").Replace(string(want))
	if got := string(out); !strings.HasPrefix(got, string(want)) || !strings.Contains(got, altWant) ||
		!strings.HasSuffix(got, nonClaim) {
		t.Errorf("output is not the two repriced interchanges and the 835 unchanged:\n%s", got)
	}
	if o := outcomes[4]; o.Location != (x12price.Location{Interchange: "000000301", Group: "301", Set: "3001", Claim: 1}) {
		t.Errorf("location %+v", o.Location)
	}

	t.Run("unpriced claims are written unchanged", func(t *testing.T) {
		eng := engineWith(t, writeContracts(t, onlyRBRVS))
		out, outcomes := reprice(t, eng, p)
		var unpriced int
		for _, o := range outcomes {
			if o.Err != nil {
				unpriced++
				if !errors.Is(o.Err, repricing.ErrNoContract) || o.Context.Claim.Pricing != nil {
					t.Errorf("%s: %v, pricing %v", o.Input.ID, o.Err, o.Context.Claim.Pricing)
				}
			}
		}
		if unpriced != 2 {
			t.Errorf("%d unpriced claims, want the 2 on payer 2712 outside the group", unpriced)
		}
		checkUntouched(t, p, out)
		if n := strings.Count(string(out), "HCP*"); n != 2+3 {
			t.Errorf("%d HCP segments, want 2 claims + 3 lines", n)
		}
	})
	t.Run("nothing priced: output is the input byte for byte", func(t *testing.T) {
		eng := engineWith(t, writeContracts(t, onlyRBRVS))
		in, err := os.ReadFile("testdata/837i_claim_level.x12")
		if err != nil {
			t.Fatal(err)
		}
		out, outcomes := reprice(t, eng, in)
		if len(outcomes) != 4 || !bytes.Equal(out, in) {
			t.Errorf("%d outcomes; output differs from input:\n%s", len(outcomes), out)
		}
	})
	t.Run("report error stops", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := x12price.Reprice(context.Background(), eng, bytes.NewReader(p), &bytes.Buffer{}, x12price.FileOptions{},
			func(*x12price.Outcome) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("err %v after %d claims", err, n)
		}
	})
	t.Run("syntax error", func(t *testing.T) {
		// Bytes before the first ISA cannot be tokenized.
		junk := "NOT X12~" + string(p)
		var se *x12.SyntaxError
		err := x12price.Reprice(context.Background(), eng, strings.NewReader(junk), &bytes.Buffer{}, x12price.FileOptions{}, nil)
		if !errors.As(err, &se) {
			t.Errorf("writing: err %v, want a *x12.SyntaxError", err)
		}
		n := 0
		err = x12price.Reprice(context.Background(), eng, strings.NewReader(junk), nil, x12price.FileOptions{},
			func(*x12price.Outcome) error { n++; return nil })
		if err != nil || n != 4 {
			t.Errorf("not writing: err %v, %d claims, want nil and 4", err, n)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := x12price.Reprice(ctx, eng, bytes.NewReader(p), &bytes.Buffer{}, x12price.FileOptions{}, nil)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v", err)
		}
	})
}

// onlyRBRVS is a contract table with the group RBRVS contract only.
const onlyRBRVS = `contracts:
  - id: GROUP-RBRVS
    effective_from: 2026-01-01
    match:
      - {tin: "990000001", payer_id: "2712", claim_type: P}
    method: rbrvs
    conversion_factor: 33.4009
    rbrvs_percent: 140
    locality: "01"
    schedules: {rbrvs: rbrvs, gpci: gpci}
    unpriced: {action: deny, reason: T6}
`

func writeContracts(t *testing.T, yaml string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "contracts.yaml")
	if err := os.WriteFile(name, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}
