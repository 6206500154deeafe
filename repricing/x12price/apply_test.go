package x12price_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

type wantLine struct {
	hcp01            string
	allowed, savings int64
}

// handComputedTests are the claims of testdata/*.x12 priced by hand from
// testdata/schedules (fee_professional.csv, rbrvs.csv, gpci.csv,
// perdiem.csv, drg.csv and contracts.yaml).
var handComputedTests = []struct {
	file, clm01, contract, hcp01 string
	allowed, savings             int64
	rate                         *int64 // HCP05
	drg                          string // HCP06
	drgAmount                    *int64 // HCP07
	unitBasis                    string // HCP11
	units                        *int64 // HCP12
	deny                         string // HCP13
	lines                        []wantLine
}{
	{
		file: "837p_lesser_of.x12", clm01: "PCNP001", contract: "ALLIANCE-PROF",
		// 310.00 + 102.00 + 12.50 + 30.00 + 15.01 + 120.00 + 35.00 = 624.51
		// of 935.01 billed; fee schedule 02 and percent 03 make 08.
		hcp01: "08", allowed: 62451, savings: 31050,
		lines: []wantLine{
			{"02", 31000, 14000}, // A0428 2025 fee 310.00 < charge 450.00
			{"02", 10200, 1800},  // A0425 8.50 × 12 units = 102.00 < 120.00
			{"02", 1250, 4750},   // E0114 RR row 12.50 < 60.00
			{"02", 3000, 1000},   // G0008 POS 11 row 30.00 < 40.00
			{"03", 1501, 1500},   // J3420 not in the schedule: 50 % × 30.01 = 15.005 → 15.01
			{"02", 12000, 8000},  // ZZ001 SV105 POS 22 row 120.00 < 200.00
			{"02", 3500, 0},      // ZZ002 fee 40.00 > charge 35.00: lesser-of is the charge
		},
	},
	{
		file: "837p_lesser_of.x12", clm01: "PCNP002", contract: "ALLIANCE-PROF",
		hcp01: "02", allowed: 30000, savings: 0, // A0428 310.00 > charge 300.00
		lines: []wantLine{{"02", 30000, 0}},
	},
	{
		file: "837p_lesser_of.x12", clm01: "PCNP003", contract: "ALLIANCE-GROUP-RBRVS",
		// (1.00 × 1.0000 + 1.20 × 0.9650 + 0.10 × 0.5520) × 33.4009 × 140 %
		// = 2.2132 × 33.4009 × 1.4 = 103.492… → 103.49; A0428 has no RVU
		// row and is denied (T6) without counting in HCP01.
		hcp01: "02", allowed: 10349, savings: 47500 - 10349,
		lines: []wantLine{{"02", 10349, 15000 - 10349}, {"00", 0, 32500}},
	},
	{
		file: "837p_lesser_of.x12", clm01: "PCNP004", contract: "ALLIANCE-GROUP-RBRVS",
		hcp01: "00", allowed: 0, savings: 32500, deny: "T6",
		lines: []wantLine{{"00", 0, 32500}},
	},
	{
		file: "837i_claim_level.x12", clm01: "PCNI001", contract: "ALLIANCE-IP-PERDIEM",
		// Admitted 2025-06-10, discharged (statement through) 2025-06-13:
		// 3 days × 1,800.00 (revenue code 0120 through 2025) = 5,400.00.
		hcp01: "06", allowed: 540000, savings: 552000 - 540000,
		rate: ptr(180000), unitBasis: "DA", units: ptr(3000),
		lines: []wantLine{{"04", 0, 540000}, {"04", 0, 12000}},
	},
	{
		file: "837i_claim_level.x12", clm01: "PCNI002", contract: "ALLIANCE-INST",
		hcp01: "03", allowed: 6501, savings: 3500, // 65 % × 100.01 = 65.0065 → 65.01
		lines: []wantLine{{"03", 6501, 3500}},
	},
	{
		file: "837i_claim_level.x12", clm01: "PCNI003", contract: "ALLIANCE-IP-DRG",
		// DRG 470 discharged 2026-03-04: weight 1.9125 × base 6,000.00 =
		// 11,475.00 of 20,000.00 billed.
		hcp01: "07", allowed: 1147500, savings: 2000000 - 1147500,
		rate: ptr(600000), drg: "470", drgAmount: ptr(1147500),
		lines: []wantLine{{"04", 0, 1800000}, {"04", 0, 200000}},
	},
	{
		file: "837i_claim_level.x12", clm01: "PCNI004", contract: "ALLIANCE-IP-DRG",
		// DRG 194 discharged 2025-09-30 (fiscal 2025 weight): 0.9400 ×
		// 6,000.00 = 5,640.00 of 5,000.00 billed; the contract does not cap
		// at billed, so the savings are negative.
		hcp01: "07", allowed: 564000, savings: -64000,
		rate: ptr(600000), drg: "194", drgAmount: ptr(564000),
		lines: []wantLine{{"04", 0, 500000}},
	},
}

func ptr(v int64) *int64 { return &v }

func eqPtr(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestHandComputed checks the HCP values Apply wrote (as decoded again
// from the repriced output) against amounts computed by hand.
func TestHandComputed(t *testing.T) {
	eng := repoEngine(t)
	written := map[string]map[string]*claim.Claim{}
	contracts := map[string]string{}
	for _, file := range []string{"837p_lesser_of.x12", "837i_claim_level.x12"} {
		in, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		out, outcomes := reprice(t, eng, in)
		for _, o := range outcomes {
			contracts[o.Input.ID] = o.Result.ContractID
		}
		written[file] = map[string]*claim.Claim{}
		for _, cc := range claims(t, string(out)) {
			written[file][cc.Claim.PatientControlNumber] = cc.Claim
		}
	}
	for _, tt := range handComputedTests {
		t.Run(tt.clm01, func(t *testing.T) {
			c := written[tt.file][tt.clm01]
			if c == nil || c.Pricing == nil {
				t.Fatalf("no claim HCP written for %s", tt.clm01)
			}
			if contracts[tt.clm01] != tt.contract {
				t.Errorf("contract %s, want %s", contracts[tt.clm01], tt.contract)
			}
			p := c.Pricing
			if p.Method != tt.hcp01 || p.Allowed != tt.allowed || !eqPtr(p.Savings, &tt.savings) {
				t.Errorf("HCP01-03 %s %d %v, want %s %d %d", p.Method, p.Allowed, deref(p.Savings), tt.hcp01, tt.allowed, tt.savings)
			}
			if p.Savings != nil && *p.Savings != c.TotalCharge-p.Allowed {
				t.Errorf("HCP03 %d is not CLM02 %d − HCP02 %d", *p.Savings, c.TotalCharge, p.Allowed)
			}
			if p.OrgID != "CLEARINGHOUSE" || !eqPtr(p.Rate, tt.rate) || p.ApprovedGroup != tt.drg || !eqPtr(p.ApprovedGroupAmount, tt.drgAmount) ||
				p.UnitBasis != tt.unitBasis || !eqPtr(p.Units, tt.units) || p.RejectReason != tt.deny {
				t.Errorf("HCP04-13 %+v", *p)
			}
			if len(c.Lines) != len(tt.lines) {
				t.Fatalf("%d lines, want %d", len(c.Lines), len(tt.lines))
			}
			var sum int64
			for i, l := range c.Lines {
				w := tt.lines[i]
				lp := l.Pricing
				if lp == nil {
					t.Fatalf("line %d: no HCP", i+1)
				}
				if lp.Method != w.hcp01 || lp.Allowed != w.allowed || !eqPtr(lp.Savings, &w.savings) {
					t.Errorf("line %d: HCP %s %d %v, want %s %d %d", i+1, lp.Method, lp.Allowed, deref(lp.Savings), w.hcp01, w.allowed, w.savings)
				}
				if *lp.Savings != l.Charge-lp.Allowed {
					t.Errorf("line %d: HCP03 %d is not SV102 %d − HCP02 %d", i+1, *lp.Savings, l.Charge, lp.Allowed)
				}
				sum += lp.Allowed
			}
			if p.Method != "06" && p.Method != "07" && sum != p.Allowed {
				t.Errorf("claim HCP02 %d is not the sum of the lines %d", p.Allowed, sum)
			}
		})
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

const noUnitsClaim = `CLM*PCN9*400***11:B:1*Y*A*Y*Y
HI*ABK:R51
LX*1
SV1*HC:A0428*400*UN****1
DTP*472*D8*20250615`

// applyTests check the segments Apply writes for one inline claim.
var applyTests = []struct {
	name    string
	version string
	body    string
	opts    x12price.ApplyOptions
	want    []string // segments added (in output order), without terminators
	removed []string // input segments no longer there (in input order)
}{
	{
		name:    "line without units gets HCP11/HCP12",
		version: "005010X222A1",
		body:    profHeader + subscriber + noUnitsClaim,
		// A0428 2025 fee 310.00 for the one unit priced.
		want: []string{"HCP*02*310*90", "HCP*02*310*90********UN*1"},
	},
	{
		name:    "bundled lines omitted, adjusted references",
		version: "005010X223A2",
		body: instHeader + strings.Replace(subscriber, "PI*2712", "PI*1935", 1) + `CLM*ICN1*5520***11:A:7**A*Y*Y
DTP*434*RD8*20250610-20250613
DTP*435*D8*20250610
CL1*1*7*01
REF*F8*PAYER0001
HI*ABK:J189
LX*1
SV2*0120**5400*DA*3
LX*2
SV2*0250**120*UN*10`,
		opts: x12price.ApplyOptions{OmitBundledLines: true, ClaimRef: "R1", Adjusted: true, LineRefs: true, OrgID: "ORG9",
			Received: time.Date(2026, 3, 16, 23, 0, 0, 0, time.UTC)},
		want: []string{"DTP*050*D8*20260316", "REF*9C*R1", "HCP*06*5400*120*ORG9*1800******DA*3"},
	},
	{
		name:    "existing repricer segments are replaced in place",
		version: "005010X222A1",
		body: profHeader + subscriber + `CLM*PCN8*400***11:B:1*Y*A*Y*Y
DTP*050*D8*20200101
REF*9A*OLDREF
HI*ABK:R51
HCP*10*1*399
LX*1
SV1*HC:A0428*400*UN*1***1
DTP*472*D8*20250615
REF*9B*OLDREF-1
HCP*10*1*399`,
		opts:    x12price.ApplyOptions{ClaimRef: "NEW", LineRefs: true, Received: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
		want:    []string{"DTP*050*D8*20260102", "REF*9A*NEW", "HCP*02*310*90", "REF*9B*NEW-1", "HCP*02*310*90"},
		removed: []string{"DTP*050*D8*20200101", "REF*9A*OLDREF", "HCP*10*1*399", "REF*9B*OLDREF-1", "HCP*10*1*399"},
	},
}

func TestApply(t *testing.T) {
	eng := repoEngine(t)
	for _, tt := range applyTests {
		t.Run(tt.name, func(t *testing.T) {
			in := envelope(tt.version, tt.body)
			tx := transactions(t, in)[0]
			for cc := range tx.Claims() {
				input := x12price.FromClaim(cc)
				res, err := eng.Price(&input)
				if err != nil {
					t.Fatal(err)
				}
				if err := x12price.Apply(cc.Claim, res, tt.opts); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			w := x12.NewWriter(&buf, x12.DefaultDelimiters)
			if err := tx.Encode(w); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			// What the set gained and lost (ST..SE only: Encode writes no
			// envelope).
			added, removed := diff(setOf(segments([]byte(in))), setOf(segments(buf.Bytes())))
			if strings.Join(added, "\n") != strings.Join(tt.want, "\n") || strings.Join(removed, "\n") != strings.Join(tt.removed, "\n") {
				t.Errorf("added segments:\n%s\nwant:\n%s\nremoved:\n%s\nwant:\n%s\noutput:\n%s", strings.Join(added, "\n"), strings.Join(tt.want, "\n"),
					strings.Join(removed, "\n"), strings.Join(tt.removed, "\n"), buf.String())
			}
			if tt.name == "existing repricer segments are replaced in place" {
				for _, s := range []string{"DTP*050*D8*20260102~\nREF*9A*NEW~\nHI*ABK:R51~\nHCP*02*310*90~\nLX*1~", "REF*9B*NEW-1~\nHCP*02*310*90~\nSE*"} {
					if !strings.Contains(buf.String(), s) {
						t.Errorf("output lacks %q:\n%s", s, buf.String())
					}
				}
			}
		})
	}
}

// setOf returns the segments from ST through SE, trimmed, without their
// terminators and without SE (whose count changes).
func setOf(segs []string) []string {
	var out []string
	in := false
	for _, s := range segs {
		s = strings.TrimSuffix(strings.TrimSpace(s), "~")
		switch {
		case strings.HasPrefix(s, "ST*"):
			in = true
		case strings.HasPrefix(s, "SE*"):
			in = false
			continue
		}
		if in {
			out = append(out, s)
		}
	}
	return out
}

// diff returns the segments of b not in a (in b's order) and those of a
// not in b (in a's order), by a longest common subsequence.
func diff(a, b []string) (added, removed []string) {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			added = append(added, b[j])
			j++
		default:
			removed = append(removed, a[i])
			i++
		}
	}
	return added, removed
}

func TestApplyErrors(t *testing.T) {
	eng := repoEngine(t)
	prof := envelope("005010X222A1", profHeader+subscriber+noUnitsClaim)
	priced := func(t *testing.T) (*claim.Claim, repricing.Result) {
		t.Helper()
		cc := claims(t, prof)[0]
		in := x12price.FromClaim(cc)
		res, err := eng.Price(&in)
		if err != nil {
			t.Fatal(err)
		}
		return cc.Claim, res
	}
	for _, tt := range []struct {
		name   string
		modify func(*repricing.Result, *x12price.ApplyOptions)
		want   error
	}{
		{"extra result line", func(r *repricing.Result, _ *x12price.ApplyOptions) {
			r.Lines = append(r.Lines, r.Lines[0])
		}, x12price.ErrResult},
		{"other line number", func(r *repricing.Result, _ *x12price.ApplyOptions) { r.Lines[0].No = 2 }, x12price.ErrResult},
		{"per diem at the 837P claim level", func(r *repricing.Result, _ *x12price.ApplyOptions) {
			r.Claim.MethodCode = repricing.CodePerDiem
		}, x12price.ErrResult},
		{"line references without claim reference", func(_ *repricing.Result, o *x12price.ApplyOptions) { o.LineRefs = true }, x12price.ErrOptions},
		{"claim reference too long", func(_ *repricing.Result, o *x12price.ApplyOptions) { o.ClaimRef = strings.Repeat("R", 51) }, x12price.ErrOptions},
		{"line reference too long", func(_ *repricing.Result, o *x12price.ApplyOptions) {
			o.ClaimRef, o.LineRefs = strings.Repeat("R", 49), true
		}, x12price.ErrOptions},
		{"organization too long", func(_ *repricing.Result, o *x12price.ApplyOptions) { o.OrgID = strings.Repeat("O", 51) }, x12price.ErrOptions},
		{"delimiter in the reference", func(_ *repricing.Result, o *x12price.ApplyOptions) { o.ClaimRef = "R*1" }, claim.ErrDelimiter},
		{"delimiter in the organization", func(_ *repricing.Result, o *x12price.ApplyOptions) { o.OrgID = "O~1" }, claim.ErrDelimiter},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, res := priced(t)
			var opts x12price.ApplyOptions
			tt.modify(&res, &opts)
			err := x12price.Apply(c, res, opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if errors.Is(tt.want, x12price.ErrResult) || errors.Is(tt.want, x12price.ErrOptions) {
				if c.Pricing != nil || c.Lines[0].Pricing != nil {
					t.Error("claim edited although the check failed")
				}
			}
		})
	}
	t.Run("streamed claim has no segments", func(t *testing.T) {
		var streamed *claim.ClaimContext
		d := claim.NewDecoder(claim.Professional, func(cc *claim.ClaimContext) error { streamed = cc; return nil })
		p := schema.NewParser(claim.SchemaFor("005010X222A1"), d)
		rd := x12.NewReader(strings.NewReader(prof))
		for {
			seg, err := rd.Read()
			if err != nil {
				break
			}
			if seg.Position > 0 {
				if err := p.Segment(seg); err != nil {
					t.Fatal(err)
				}
			}
		}
		p.Finish()
		if err := d.Flush(); err != nil {
			t.Fatal(err)
		}
		if streamed == nil {
			t.Fatal("no claim decoded")
		}
		in := x12price.FromClaim(streamed)
		if in.BillingNPI != "1234567893" || in.PayerID != "2712" || in.Lines[0].ProcedureCode != "A0428" {
			t.Errorf("FromClaim on a streamed claim: %+v", in)
		}
		res, err := eng.Price(&in)
		if err != nil {
			t.Fatal(err)
		}
		if err := x12price.Apply(streamed.Claim, res, x12price.ApplyOptions{}); !errors.Is(err, claim.ErrNoSegments) {
			t.Errorf("err %v, want claim.ErrNoSegments", err)
		}
	})
}

func TestIsAdjustment(t *testing.T) {
	for _, tt := range []struct {
		freq string
		want bool
	}{{"1", false}, {"6", false}, {"7", true}, {"8", true}, {"", false}} {
		if got := x12price.IsAdjustment(&claim.Claim{FrequencyCode: tt.freq}); got != tt.want {
			t.Errorf("frequency %q: %v, want %v", tt.freq, got, tt.want)
		}
	}
}
