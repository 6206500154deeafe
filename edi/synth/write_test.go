package synth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func generate(t *testing.T, cfg Config) ([]byte, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Write(context.Background(), &buf, cfg)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	if st.Bytes != int64(buf.Len()) {
		t.Fatalf("Stats.Bytes %d, wrote %d", st.Bytes, buf.Len())
	}
	return buf.Bytes(), st
}

func manifest(t *testing.T, cfg Config) []ClaimInfo {
	t.Helper()
	seq, err := Manifest(cfg)
	if err != nil {
		t.Fatalf("Manifest: %v", err)
	}
	return slices.Collect(seq)
}

func roster(t *testing.T, cfg Config) map[string]Member {
	t.Helper()
	seq, err := Members(cfg)
	if err != nil {
		t.Fatalf("Members: %v", err)
	}
	out := map[string]Member{}
	for m := range seq {
		if _, dup := out[m.MemberID]; dup {
			t.Fatalf("member ID %s twice on the roster", m.MemberID)
		}
		out[m.MemberID] = m
	}
	return out
}

func TestDeterminism(t *testing.T) {
	for _, kind := range []Kind{Professional, Institutional} {
		t.Run(string(kind), func(t *testing.T) {
			cfg := Config{Kind: kind, Claims: 700, Seed: 11, Freq7: 0.05, Freq8: 0.05, Dup: 0.05, Invalid: 0.05, ClaimsPerST: 60, STPerGS: 4}
			a, _ := generate(t, cfg)
			b, _ := generate(t, cfg)
			if !bytes.Equal(a, b) {
				t.Fatal("same config produced different bytes")
			}
			cfg.Seed = 12
			c, _ := generate(t, cfg)
			if bytes.Equal(a, c) {
				t.Fatal("different seeds produced identical bytes")
			}
			cfg.Seed = 11
			cfg.Pretty = true
			p, _ := generate(t, cfg)
			if !bytes.Equal(a, bytes.ReplaceAll(p, []byte("~\n"), []byte("~"))) {
				t.Fatal("Pretty output differs from compact output by more than newlines")
			}
		})
	}
}

// TestLayoutIndependence checks that claim content depends only on the seed
// and position, not on how claims are packed into sets and groups.
func TestLayoutIndependence(t *testing.T) {
	base := Config{Kind: Professional, Claims: 400, Seed: 5, Freq7: 0.1, Dup: 0.1, Invalid: 0.1}
	a := liteParseQuiet(t, base)
	base.ClaimsPerST, base.STPerGS = 7, 3
	b := liteParseQuiet(t, base)
	if len(a.claims) != len(b.claims) {
		t.Fatalf("claim counts %d vs %d", len(a.claims), len(b.claims))
	}
	for i := range a.claims {
		if a.claims[i].bodyKey() != b.claims[i].bodyKey() {
			t.Fatalf("claim %d differs between layouts", i)
		}
	}
	if a.sets != 4 || a.groups != 1 || b.sets != 58 || b.groups != 20 {
		t.Errorf("sets/groups %d/%d and %d/%d, want 4/1 and 58/20", a.sets, a.groups, b.sets, b.groups)
	}
}

func liteParseQuiet(t *testing.T, cfg Config) *liteFile {
	t.Helper()
	data, _ := generate(t, cfg)
	return liteParse(t, data)
}

// TestStructureAndContent generates 10 000 claims of each kind and checks
// the envelope, HL links, arithmetic, NPIs, replacement/void/duplicate links,
// defects, roster consistency and the requested rates.
func TestStructureAndContent(t *testing.T) {
	for _, kind := range []Kind{Professional, Institutional} {
		t.Run(string(kind), func(t *testing.T) {
			cfg := Config{Kind: kind, Claims: 10000, Seed: 2024, Freq7: 0.05, Freq8: 0.03, Dup: 0.04, Invalid: 0.05}
			data, st := generate(t, cfg)
			f := liteParse(t, data)
			infos := manifest(t, cfg)
			members := roster(t, cfg)
			if len(f.claims) != cfg.Claims || len(infos) != cfg.Claims || st.Claims != cfg.Claims {
				t.Fatalf("claims parsed %d, manifest %d, stats %d; want %d", len(f.claims), len(infos), st.Claims, cfg.Claims)
			}
			if st.Segments != f.segments || st.Transactions != f.sets || st.Groups != f.groups {
				t.Errorf("stats %+v vs parsed segments %d sets %d groups %d", st, f.segments, f.sets, f.groups)
			}
			if f.sets != 100 || f.groups != 2 {
				t.Errorf("sets %d groups %d, want 100 and 2 with defaults", f.sets, f.groups)
			}

			ids := map[string]int{}
			counts := map[Class]int{}
			defects := map[Defect]int{}
			dependents := 0
			for i, c := range f.claims {
				info := infos[i]
				counts[info.Class]++
				defects[info.Defect]++
				if c.dependent {
					dependents++
				}
				checkAgainstManifest(t, c, info)
				checkDefect(t, kind, c, info)
				checkRoster(t, c, info, members)
				checkStatementPeriod(t, kind, c)
				if info.Class != ClassDuplicate {
					if prev, seen := ids[c.id]; seen {
						t.Errorf("CLM01 %s at %d and %d", c.id, prev, i)
					}
					ids[c.id] = i
				}
				switch info.Class {
				case ClassOriginal, ClassInvalid:
					if c.refF8 != "" {
						t.Errorf("%v: REF*F8 on a %v claim", c, info.Class)
					}
					if info.Class == ClassOriginal && c.clm05[2] != "1" {
						t.Errorf("%v: CLM05-3 %s on an original", c, c.clm05[2])
					}
				case ClassReplacement, ClassVoid, ClassDuplicate:
					checkLinked(t, c, info, f.claims[info.OriginalIndex], infos[info.OriginalIndex])
				}
			}
			n := float64(cfg.Claims)
			for _, r := range []struct {
				name      string
				got       int
				stat      int
				rate      float64
				tolerance float64
			}{
				{"replacements", counts[ClassReplacement], st.Replacements, cfg.Freq7, 0.2},
				{"voids", counts[ClassVoid], st.Voids, cfg.Freq8, 0.2},
				{"duplicates", counts[ClassDuplicate], st.Duplicates, cfg.Dup, 0.2},
				{"invalid", counts[ClassInvalid], st.Invalid, cfg.Invalid, 0.2},
				{"dependents", dependents, st.Dependents, 0.2, 0.2},
			} {
				want := r.rate * n
				if math.Abs(float64(r.got)-want) > r.tolerance*want {
					t.Errorf("%s: %d, want %.0f ±%.0f%%", r.name, r.got, want, r.tolerance*100)
				}
				if r.got != r.stat {
					t.Errorf("%s: manifest says %d, stats %d", r.name, r.got, r.stat)
				}
			}
			for d := DefectChargeMismatch; d <= DefectMissingSBR; d++ {
				if diff := defects[d] - counts[ClassInvalid]/NumDefects; diff < 0 || diff > 1 {
					t.Errorf("defect %v on %d claims of %d invalid: rotation broken", d, defects[d], counts[ClassInvalid])
				}
			}
		})
	}
}

func checkAgainstManifest(t *testing.T, c *liteClaim, info ClaimInfo) {
	t.Helper()
	if c.id != info.ID || c.memberID != info.MemberID || c.payerID != info.PayerID ||
		c.billingNPI != info.BillingNPI || c.chargeCents != info.ChargeCents ||
		len(c.lines) != info.Lines || c.dependent != info.Dependent || c.setCtl != info.SetControl ||
		c.groupCtl != info.GroupControl {
		t.Errorf("claim %d: parsed {%s %s %s %s %d %d %v %s %s} vs manifest %+v", info.Index,
			c.id, c.memberID, c.payerID, c.billingNPI, c.chargeCents, len(c.lines), c.dependent, c.setCtl, c.groupCtl, info)
	}
	if !strings.HasPrefix(c.memberID, "SYN") || len(c.id) > 20 {
		t.Errorf("%v: member ID %q / CLM01 length %d", c, c.memberID, len(c.id))
	}
}

// checkDefect asserts that a claim shows exactly its documented defect, in
// exactly the documented shape, and that valid claims show none.
func checkDefect(t *testing.T, kind Kind, c *liteClaim, info ClaimInfo) {
	t.Helper()
	got := detectDefects(c, kind)
	want := []Defect{}
	if info.Defect != DefectNone {
		want = append(want, info.Defect)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%v (%v): defects %v, want %v", c, info.Class, got, want)
		return
	}
	if (info.Class == ClassInvalid) != (info.Defect != DefectNone) {
		t.Errorf("%v: class %v with defect %v", c, info.Class, info.Defect)
	}
	switch info.Defect {
	case DefectChargeMismatch:
		if c.chargeCents-c.lineSum() != 100 {
			t.Errorf("%v: CLM02 - sum = %d cents, want 100", c, c.chargeCents-c.lineSum())
		}
	case DefectMissingServiceDate:
		if kind == Professional {
			for i, l := range c.lines {
				if l.hasDTP == (i == 0) {
					t.Errorf("%v: line %d DTP*472 present=%v", c, i+1, l.hasDTP)
				}
			}
		}
	case DefectBadNPI:
		if !luhnNPI(c.billingNPI) || len(c.indivNPIs) != 1 || luhnNPI(c.indivNPIs[0]) {
			t.Errorf("%v: billing %s individual %v: want exactly the claim-level NPI bad", c, c.billingNPI, c.indivNPIs)
		}
	case DefectBadFrequency:
		if c.clm05[2] != "V" {
			t.Errorf("%v: CLM05-3 %q, want V", c, c.clm05[2])
		}
	}
}

// checkLinked verifies a replacement, void or duplicate against its original.
func checkLinked(t *testing.T, c *liteClaim, info ClaimInfo, orig *liteClaim, origInfo ClaimInfo) {
	t.Helper()
	if info.OriginalIndex >= info.Index || origInfo.Class != ClassOriginal || orig.id != info.OriginalID {
		t.Errorf("%v: refers to claim %d (%v, %s), want an earlier original", c, info.OriginalIndex, origInfo.Class, orig.id)
		return
	}
	if c.memberID != orig.memberID || c.billingNPI != orig.billingNPI || c.payerID != orig.payerID || c.stmt != orig.stmt {
		t.Errorf("%v: member/provider/payer/dates differ from original %v", c, orig)
	}
	switch info.Class {
	case ClassDuplicate:
		if c.bodyKey() != orig.bodyKey() {
			t.Errorf("%v: duplicate body differs from original", c)
		}
	case ClassReplacement, ClassVoid:
		freq := map[Class]string{ClassReplacement: "7", ClassVoid: "8"}[info.Class]
		if c.clm05[2] != freq || c.refF8 != orig.id || c.id == orig.id {
			t.Errorf("%v: CLM05-3 %s REF*F8 %q; want %s and REF*F8 %s under a new CLM01", c, c.clm05[2], c.refF8, freq, orig.id)
		}
		diff := 0
		for i := range c.lines {
			if c.lines[i].cents != orig.lines[i].cents {
				diff++
			}
			if c.lines[i].dos != orig.lines[i].dos {
				t.Errorf("%v: line %d date differs from original", c, i+1)
			}
		}
		if want := map[Class]int{ClassReplacement: 1, ClassVoid: 0}[info.Class]; diff != want || len(c.lines) != len(orig.lines) {
			t.Errorf("%v: %d line charges differ from the original, want %d", c, diff, want)
		}
	}
}

func checkRoster(t *testing.T, c *liteClaim, info ClaimInfo, members map[string]Member) {
	t.Helper()
	m, ok := members[c.memberID]
	if !ok {
		t.Errorf("%v: member %s not on the roster", c, c.memberID)
		return
	}
	if c.last != m.LastName || c.first != m.FirstName {
		t.Errorf("%v: subscriber name differs from roster entry %d", c, m.Index)
	}
	if c.dependent != (c.dob == "") {
		t.Errorf("%v: subscriber DMG present=%v on a claim with dependent=%v", c, c.dob != "", c.dependent)
	}
	if !c.dependent && (c.dob != m.DOB.Format("20060102") || c.gender != m.Gender) {
		t.Errorf("%v: subscriber differs from roster entry %d", c, m.Index)
	}
	if c.hasSBR && c.sbr03 != m.Group {
		t.Errorf("%v: SBR03 %s, roster group %s", c, c.sbr03, m.Group)
	}
	if c.payerID != m.PayerID {
		t.Errorf("%v: payer %s, roster payer %s", c, c.payerID, m.PayerID)
	}
	if c.dependent && (c.patFirst != m.Dependent.FirstName || c.patDOB != m.Dependent.DOB.Format("20060102")) {
		t.Errorf("%v: patient differs from roster dependent", c)
	}
	lo, hi := m.CoverageStart.Format("20060102"), m.CoverageEnd.Format("20060102")
	dates := []string{}
	for _, l := range c.lines {
		if l.dos != "" {
			dates = append(dates, l.dos)
		}
	}
	if from, through, ok := strings.Cut(c.stmt, "-"); ok {
		dates = append(dates, from, through)
	}
	if len(dates) == 0 && info.Defect != DefectMissingServiceDate {
		t.Errorf("%v: no service dates", c)
	}
	for _, d := range dates {
		if d < lo || d > hi || d <= m.DOB.Format("20060102") {
			t.Errorf("%v: service date %s outside coverage %s..%s or before birth", c, d, lo, hi)
		}
		if c.dependent && d <= c.patDOB {
			t.Errorf("%v: service date %s before patient birth %s", c, d, c.patDOB)
		}
	}
}

func TestISAWidthAndControlNumbers(t *testing.T) {
	cfg := Config{Kind: Institutional, Claims: 3, Seed: 1, Sender: "S1", Receiver: "RCV", ControlNumber: 42, Usage: "P",
		Date: time.Date(2031, 12, 31, 23, 59, 0, 0, time.UTC)}
	data, st := generate(t, cfg)
	isa := string(data[:106])
	want := "ISA*00*          *00*          *ZZ*S1             *ZZ*RCV            *311231*2359*^*00501*000000042*0*P*:~"
	if isa != want {
		t.Errorf("ISA\n got %q\nwant %q", isa, want)
	}
	if !bytes.HasSuffix(data, []byte("IEA*1*000000042~")) {
		t.Errorf("trailer %q", data[len(data)-20:])
	}
	if !bytes.Contains(data, []byte("GS*HC*S1*RCV*20311231*2359*1*X*005010X223A2~")) {
		t.Error("GS segment not as expected")
	}
	liteParse(t, data)
	if st.Groups != 1 || st.Transactions != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestZeroClaims(t *testing.T) {
	data, st := generate(t, Config{Kind: Professional, Seed: 1})
	if st.Groups != 0 || st.Segments != 2 || !bytes.HasSuffix(data, []byte("~IEA*0*"+string(data[90:99])+"~")) {
		t.Errorf("zero-claim interchange %q, stats %+v", data, st)
	}
}

var configErrorTests = []struct {
	name string
	cfg  Config
}{
	{"missing kind", Config{Claims: 1}},
	{"unknown kind", Config{Kind: "837D", Claims: 1}},
	{"negative claims", Config{Kind: Professional, Claims: -1}},
	{"f8 prefix with a delimiter", Config{Kind: Professional, F8Prefix: "C*H"}},
	{"f8 prefix too long", Config{Kind: Professional, F8Prefix: "CHCHCHCHCHCHCHCHCHCHCHCHCHCHCHCHCHCHCHCH"}},
	{"rate above one", Config{Kind: Professional, Freq7: 1.5}},
	{"negative rate", Config{Kind: Professional, Dup: -0.1}},
	{"NaN rate", Config{Kind: Professional, Invalid: math.NaN()}},
	{"rates sum above one", Config{Kind: Professional, Freq7: 0.5, Freq8: 0.3, Dup: 0.3}},
	{"lines max below min", Config{Kind: Professional, LinesMin: 3, LinesMax: 2}},
	{"too many lines", Config{Kind: Professional, LinesMax: 51}},
	{"negative claims per st", Config{Kind: Professional, ClaimsPerST: -1}},
	{"sender too long", Config{Kind: Professional, Sender: "ABCDEFGHIJKLMNOP"}},
	{"receiver with delimiter", Config{Kind: Professional, Receiver: "A*B"}},
	{"payer id with terminator", Config{Kind: Professional, PayerIDs: []string{"12~3"}}},
	{"payer id too short", Config{Kind: Professional, PayerIDs: []string{"1"}}},
	{"bad usage", Config{Kind: Professional, Usage: "X"}},
	{"control number too big", Config{Kind: Professional, ControlNumber: 1_000_000_000}},
	{"member count too big", Config{Kind: Professional, MemberCount: 10_000_000}},
}

func TestConfigErrors(t *testing.T) {
	for _, tt := range configErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Write(context.Background(), io.Discard, tt.cfg); !errors.Is(err, ErrConfig) {
				t.Errorf("Write: %v, want ErrConfig", err)
			}
			if _, err := Members(tt.cfg); !errors.Is(err, ErrConfig) {
				t.Errorf("Members: %v, want ErrConfig", err)
			}
			if _, err := Manifest(tt.cfg); !errors.Is(err, ErrConfig) {
				t.Errorf("Manifest: %v, want ErrConfig", err)
			}
		})
	}
}

func TestCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	_, err := Write(ctx, &buf, Config{Kind: Professional, Claims: 1000, Seed: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Write: %v, want context.Canceled", err)
	}
	if bytes.Contains(buf.Bytes(), []byte("CLM*")) {
		t.Error("claims written after cancellation")
	}
}

type failWriter struct{ after int }

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errDiskFull
	}
	w.after--
	return len(p), nil
}

func TestWriterError(t *testing.T) {
	st, err := Write(context.Background(), &failWriter{after: 2}, Config{Kind: Professional, Claims: 5000, Seed: 1})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("Write: %v, want errDiskFull", err)
	}
	if st.Claims >= 5000 {
		t.Errorf("kept generating after a write error: %+v", st)
	}
}

var amountTests = []struct {
	name  string
	cents int64
	want  string
}{
	{"zero", 0, "0"},
	{"whole", 12500, "125"},
	{"one decimal", 12550, "125.5"},
	{"two decimals", 12555, "125.55"},
	{"cents only", 5, "0.05"},
	{"dime only", 10, "0.1"},
	{"negative", -12550, "-125.5"},
}

func TestAppendAmount(t *testing.T) {
	for _, tt := range amountTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendAmount(nil, tt.cents)); got != tt.want {
				t.Errorf("appendAmount(%d) = %q, want %q", tt.cents, got, tt.want)
			}
		})
	}
}

func TestCivilDates(t *testing.T) {
	start := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC)
	for d := start; d.Year() < 2101; d = d.AddDate(0, 0, 1) {
		days := int(d.Unix() / 86400)
		if got := daysFromCivil(d.Year(), int(d.Month()), d.Day()); got != days {
			t.Fatalf("daysFromCivil(%s) = %d, want %d", d.Format(time.DateOnly), got, days)
		}
		if got := string(appendDate8(nil, days)); got != d.Format("20060102") {
			t.Fatalf("appendDate8(%d) = %s, want %s", days, got, d.Format("20060102"))
		}
	}
}

func TestNPICheckDigit(t *testing.T) {
	// 1234567893 is the worked example in the CMS NPI check-digit note.
	if got := npiCheckDigit([]byte("123456789")); got != '3' {
		t.Errorf("check digit %c, want 3", got)
	}
	if !luhnNPI("1234567893") || luhnNPI("1234567894") {
		t.Error("test Luhn helper disagrees with the known example")
	}
}

// checkStatementPeriod: an outpatient 837I statement period (DTP*434) runs
// from the first to the last line date.
func checkStatementPeriod(t *testing.T, kind Kind, c *liteClaim) {
	t.Helper()
	if kind != Institutional || !c.has434 || !c.lines[0].hasDTP {
		return
	}
	lo, hi := c.lines[0].dos, c.lines[0].dos
	for _, l := range c.lines {
		lo, hi = min(lo, l.dos), max(hi, l.dos)
	}
	if c.stmt != lo+"-"+hi {
		t.Errorf("%v: DTP*434 %s, lines span %s-%s", c, c.stmt, lo, hi)
	}
}
