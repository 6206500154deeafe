package repricing

import (
	"encoding/csv"
	"errors"
	"strings"
	"testing"
)

// markedInput removes the first marker from in and returns the input with
// the line and column it marks: "§" marks the start of a field (column =
// commas before it on its line + 1), "¶" a whole record (column 0).
func markedInput(t *testing.T, in string) (string, int, int) {
	t.Helper()
	for _, m := range []string{"§", "¶"} {
		i := strings.Index(in, m)
		if i < 0 {
			continue
		}
		before := in[:i]
		line := strings.Count(before, "\n") + 1
		col := 0
		if m == "§" {
			col = strings.Count(before[strings.LastIndex(before, "\n")+1:], ",") + 1
		}
		return before + in[i+len(m):], line, col
	}
	t.Fatalf("input has no § or ¶ marker:\n%s", in)
	return "", 0, 0
}

type loadErrTest struct {
	name string
	in   string // with a § or ¶ marker where the error is
	err  error  // wrapped cause
}

const feeHdr = "code,modifier,pos,amount,effective_from,effective_to\n"

var feeErrTests = []loadErrTest{
	{name: "empty input", in: "¶", err: ErrHeader},
	{name: "wrong header", in: "¶code,mod,pos,amount,effective_from,effective_to\nA0428,,,1.00,,\n", err: ErrHeader},
	{name: "header order", in: "¶modifier,code,pos,amount,effective_from,effective_to\n", err: ErrHeader},
	{name: "header only", in: "¶" + feeHdr, err: ErrNoRows},
	{name: "field count", in: feeHdr + "A0428,,,1.00,,\n¶A0425,,,1.00,\n", err: csv.ErrFieldCount},
	{name: "bare quote", in: feeHdr + "¶A0428,,,1\"00,,\n", err: csv.ErrBareQuote},
	{name: "empty code", in: feeHdr + "§,,,1.00,,\n", err: ErrRequired},
	{name: "lowercase code", in: feeHdr + "§a0428,,,1.00,,\n", err: ErrCode},
	{name: "bad modifier", in: feeHdr + "A0428,§R,,1.00,,\n", err: ErrCode},
	{name: "bad pos", in: feeHdr + "A0428,,§1A,1.00,,\n", err: ErrCode},
	{name: "three-digit pos", in: feeHdr + "A0428,,§111,1.00,,\n", err: ErrCode},
	{name: "empty amount", in: feeHdr + "A0428,,,§,,\n", err: ErrRequired},
	{name: "three decimals", in: feeHdr + "A0428,,,§1.005,,\n", err: ErrNumber},
	{name: "negative amount", in: feeHdr + "A0428,,,§-1.00,,\n", err: ErrNumber},
	{name: "bad from", in: feeHdr + "A0428,,,1.00,§2026-02-30,\n", err: ErrDate},
	{name: "bad to", in: feeHdr + "A0428,,,1.00,2026-01-01,§01/31/2026\n", err: ErrDate},
	{name: "to before from", in: feeHdr + "A0428,,,1.00,2026-02-01,§2026-01-31\n", err: ErrDateRange},
	{
		name: "duplicate",
		in:   feeHdr + "A0428,,,1.00,2026-01-01,\nA0425,,,1.00,2026-01-01,\n§A0428,,,2.00,2026-01-01,\n",
		err:  ErrDuplicate,
	},
	{
		name: "overlap reported on the later line",
		in:   feeHdr + "A0428,,,2.00,2026-07-01,\n# comment\nA0428,,,1.00,§2026-01-01,2026-07-01\n",
		err:  ErrOverlap,
	},
	{
		name: "overlap later line earlier range",
		in:   feeHdr + "A0428,,,2.00,2026-01-01,2026-12-31\nA0428,,,1.00,§2025-01-01,2026-01-01\n",
		err:  ErrOverlap,
	},
	{
		name: "open-ended overlaps",
		in:   feeHdr + "A0428,,,1.00,,\nA0428,,,1.00,§2030-01-01,\n",
		err:  ErrOverlap,
	},
}

func TestLoadFeeScheduleErrors(t *testing.T) {
	runLoadErrTests(t, feeErrTests, func(s string) error {
		_, err := LoadFeeSchedule(strings.NewReader(s))
		return err
	})
}

func runLoadErrTests(t *testing.T, tests []loadErrTest, load func(string) error) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, line, col := markedInput(t, tt.in)
			err := load(in)
			var ce *CSVError
			if !errors.As(err, &ce) {
				t.Fatalf("error = %v (%T), want *CSVError", err, err)
			}
			if ce.Line != line || ce.Column != col {
				t.Errorf("error at line %d column %d, want line %d column %d: %v", ce.Line, ce.Column, line, col, err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("error = %v, want it to wrap %v", err, tt.err)
			}
		})
	}
}

func TestCSVErrorMessage(t *testing.T) {
	_, err := LoadFeeSchedule(strings.NewReader(feeHdr + "A0428,,,1.005,,\n"))
	want := `line 2, column 4 (amount): invalid number: "1.005" has more than 2 decimal places`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
}

func TestLoadFeeScheduleTolerates(t *testing.T) {
	// BOM, comments, blank lines, spaces around fields, CRLF, quoted fields,
	// same key with adjacent (non-overlapping) ranges, different keys.
	in := "\xEF\xBB\xBF# header follows\r\n" + strings.ReplaceAll(feeHdr, "\n", "\r\n") +
		"\r\n A0428 , , , 310.00 , 2025-01-01 , 2025-12-31 \r\n" +
		"\"A0428\",,,325.00,2026-01-01,\r\n" +
		"A0428,RR,,1.00,2025-01-01,\r\n" +
		"A0428,,11,1.00,2025-01-01,\r\n"
	s, err := LoadFeeSchedule(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 4 {
		t.Errorf("Len = %d, want 4", s.Len())
	}
	if c, ok := s.Lookup("A0428", nil, "", NewDate(2025, 12, 31)); !ok || c != 31000 {
		t.Errorf("2025-12-31 = %d %v, want 31000", c, ok)
	}
	if c, ok := s.Lookup("A0428", nil, "", NewDate(2026, 1, 1)); !ok || c != 32500 {
		t.Errorf("2026-01-01 = %d %v, want 32500", c, ok)
	}
}

const precedenceFees = feeHdr +
	"ZZ001,,,100.00,2026-01-01,2026-06-30\n" + // code alone, first half
	"ZZ001,,,110.00,2026-07-01,\n" + // code alone, second half
	"ZZ001,26,,40.00,2026-01-01,\n" + // code+modifier
	"ZZ001,,22,90.00,2026-01-01,\n" + // code+POS
	"ZZ001,26,22,35.00,2026-01-01,\n" + // code+modifier+POS
	"ZZ001,TC,,60.00,2026-01-01,\n" + // another modifier
	"ZZ001,TC,22,55.00,2026-03-01,2026-03-31\n" + // exact, one month only
	"ZZ002,,11,20.00,2026-01-01,\n" // only a POS row

var feeLookupTests = []struct {
	name string
	code string
	mods []string
	pos  string
	date Date
	want int64 // cents; -1 = not found
}{
	{name: "code alone", code: "ZZ001", pos: "11", date: 20260301, want: 10000},
	{name: "code alone last day of first range", code: "ZZ001", date: 20260630, want: 10000},
	{name: "code alone first day of second range", code: "ZZ001", date: 20260701, want: 11000},
	{name: "before every range", code: "ZZ001", date: 20251231, want: -1},
	{name: "code+pos beats code", code: "ZZ001", pos: "22", date: 20260301, want: 9000},
	{name: "code+modifier beats code+pos", code: "ZZ001", mods: []string{"26"}, pos: "11", date: 20260301, want: 4000},
	{name: "exact beats code+modifier", code: "ZZ001", mods: []string{"26"}, pos: "22", date: 20260301, want: 3500},
	{name: "unknown modifier falls back to code+pos", code: "ZZ001", mods: []string{"59"}, pos: "22", date: 20260301, want: 9000},
	{name: "unknown modifier falls back to code", code: "ZZ001", mods: []string{"59"}, date: 20260301, want: 10000},
	{name: "second modifier matches", code: "ZZ001", mods: []string{"59", "26"}, pos: "11", date: 20260301, want: 4000},
	{name: "earlier modifier wins at same level", code: "ZZ001", mods: []string{"TC", "26"}, pos: "11", date: 20260301, want: 6000},
	{name: "earlier modifier wins, other order", code: "ZZ001", mods: []string{"26", "TC"}, pos: "11", date: 20260301, want: 4000},
	{name: "exact with later modifier beats code+modifier with earlier", code: "ZZ001", mods: []string{"26", "TC"}, pos: "22", date: 20260301, want: 3500},
	{name: "exact row effective", code: "ZZ001", mods: []string{"TC"}, pos: "22", date: 20260331, want: 5500},
	{name: "exact row expired falls back to code+modifier", code: "ZZ001", mods: []string{"TC"}, pos: "22", date: 20260401, want: 6000},
	{name: "fifth modifier ignored", code: "ZZ001", mods: []string{"59", "76", "77", "91", "26"}, date: 20260301, want: 10000},
	{name: "empty modifier ignored", code: "ZZ001", mods: []string{""}, date: 20260301, want: 10000},
	{name: "malformed pos matches no pos row", code: "ZZ001", pos: "2", date: 20260301, want: 10000},
	{name: "pos-only code with other pos", code: "ZZ002", pos: "21", date: 20260301, want: -1},
	{name: "pos-only code with its pos", code: "ZZ002", pos: "11", date: 20260301, want: 2000},
	{name: "pos-only code without pos", code: "ZZ002", date: 20260301, want: -1},
	{name: "unknown code", code: "ZZ999", date: 20260301, want: -1},
}

func TestFeeLookupPrecedence(t *testing.T) {
	s, err := LoadFeeSchedule(strings.NewReader(precedenceFees))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range feeLookupTests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := s.Lookup(tt.code, tt.mods, tt.pos, tt.date)
			if !ok {
				got = -1
			}
			if got != tt.want {
				t.Errorf("Lookup = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestNewFeeScheduleRows(t *testing.T) {
	rows := []FeeRow{
		{Code: "A0428", AmountCents: 100, EffectiveFrom: 20260101, EffectiveTo: MaxDate},
		{Code: "A0428", AmountCents: 200, EffectiveFrom: 20260601, EffectiveTo: MaxDate},
	}
	_, err := NewFeeSchedule(rows)
	var ce *CSVError
	// Without Line, the error names the 1-based row index.
	if !errors.As(err, &ce) || ce.Line != 2 || !errors.Is(err, ErrOverlap) {
		t.Fatalf("error = %v, want overlap on row 2", err)
	}
	rows[1].Line = 17
	if _, err := NewFeeSchedule(rows); !errors.As(err, &ce) || ce.Line != 17 {
		t.Fatalf("error = %v, want line 17", err)
	}
	bad := []FeeRow{{Code: "A0428", AmountCents: -1, EffectiveFrom: MinDate, EffectiveTo: MaxDate}}
	if _, err := NewFeeSchedule(bad); !errors.Is(err, ErrAmountRange) {
		t.Errorf("negative amount error = %v", err)
	}
	// A zero Date is not a valid effective_from for rows built in code.
	zero := []FeeRow{{Code: "A0428", AmountCents: 1, EffectiveTo: MaxDate}}
	if _, err := NewFeeSchedule(zero); !errors.Is(err, ErrDate) {
		t.Errorf("zero from error = %v", err)
	}
	if _, err := NewFeeSchedule(nil); !errors.Is(err, ErrNoRows) {
		t.Errorf("no rows error = %v", err)
	}
}

const rbrvsHdr = "code,modifier,work_rvu,pe_rvu_nonfacility,pe_rvu_facility,mp_rvu,effective_from,effective_to\n"

var rbrvsErrTests = []loadErrTest{
	{name: "header", in: "¶code,modifier,work,pe_nf,pe_f,mp,effective_from,effective_to\n", err: ErrHeader},
	{name: "five decimals", in: rbrvsHdr + "ZZ001,,1.00,§1.23456,0.80,0.10,,\n", err: ErrNumber},
	{name: "rvu too big", in: rbrvsHdr + "ZZ001,,1.00,1.20,§100000,0.10,,\n", err: ErrNumber},
	{name: "empty mp", in: rbrvsHdr + "ZZ001,,1.00,1.20,0.80,§,,\n", err: ErrRequired},
	{name: "modifier", in: rbrvsHdr + "ZZ001,§2,1.00,1.20,0.80,0.10,,\n", err: ErrCode},
	{name: "overlap", in: rbrvsHdr + "ZZ001,26,1,1,1,1,2026-01-01,\nZZ001,26,1,1,1,1,§2026-06-01,\n", err: ErrOverlap},
}

func TestLoadRBRVSErrors(t *testing.T) {
	runLoadErrTests(t, rbrvsErrTests, func(s string) error {
		_, err := LoadRBRVSSchedule(strings.NewReader(s))
		return err
	})
}

func TestRBRVSLookup(t *testing.T) {
	s, err := LoadRBRVSSchedule(strings.NewReader(rbrvsHdr +
		"ZZ004,,0.00,3.10,3.10,0.05,2026-01-01,\n" +
		"ZZ004,26,0.75,0.30,0.29,0.04,2026-01-01,\n" +
		"ZZ004,TC,0.00,2.80,2.80,0.01,2026-01-01,\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		mods []string
		want RBRVSRow
	}{
		{nil, RBRVSRow{Code: "ZZ004", WorkRVU: 0, PENonFacilityRVU: 31000, PEFacilityRVU: 31000, MPRVU: 500}},
		{[]string{"26"}, RBRVSRow{Code: "ZZ004", Modifier: "26", WorkRVU: 7500, PENonFacilityRVU: 3000, PEFacilityRVU: 2900, MPRVU: 400}},
		{[]string{"59", "TC"}, RBRVSRow{Code: "ZZ004", Modifier: "TC", PENonFacilityRVU: 28000, PEFacilityRVU: 28000, MPRVU: 100}},
		{[]string{"59"}, RBRVSRow{Code: "ZZ004", PENonFacilityRVU: 31000, PEFacilityRVU: 31000, MPRVU: 500}},
	} {
		got, ok := s.Lookup("ZZ004", tt.mods, 20260301)
		tt.want.EffectiveFrom, tt.want.EffectiveTo = 20260101, MaxDate
		if !ok || got != tt.want {
			t.Errorf("Lookup(%v) = %+v, %v; want %+v", tt.mods, got, ok, tt.want)
		}
	}
	if _, ok := s.Lookup("ZZ004", nil, 20251231); ok {
		t.Error("found a row before its effective date")
	}
}

const gpciHdr = "locality,work_gpci,pe_gpci,mp_gpci\n"

var gpciErrTests = []loadErrTest{
	{name: "duplicate locality", in: gpciHdr + "01,1,1,1\n02,1,1,1\n§01,1,1,1\n", err: ErrDuplicate},
	{name: "gpci too big", in: gpciHdr + "01,§100,1,1\n", err: ErrNumber},
	{name: "bad locality", in: gpciHdr + "§0-1,1,1,1\n", err: ErrCode},
	{name: "extra column", in: gpciHdr + "¶01,1,1,1,2026-01-01\n", err: csv.ErrFieldCount},
}

func TestLoadGPCIErrors(t *testing.T) {
	runLoadErrTests(t, gpciErrTests, func(s string) error {
		_, err := LoadGPCITable(strings.NewReader(s))
		return err
	})
}

func TestGPCILookup(t *testing.T) {
	g, err := LoadGPCITable(strings.NewReader(gpciHdr + "01,1.0000,0.9650,0.5520\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := g.Lookup("01")
	if !ok || got.Work != 10000 || got.PE != 9650 || got.MP != 5520 || got.Locality != "01" {
		t.Errorf("Lookup(01) = %+v, %v", got, ok)
	}
	if _, ok := g.Lookup("02"); ok {
		t.Error("found unknown locality")
	}
}

const perDiemHdr = "revenue_code_or_type,rate,effective_from,effective_to\n"

var perDiemErrTests = []loadErrTest{
	{name: "three-digit key", in: perDiemHdr + "§120,1800.00,,\n", err: ErrCode},
	{name: "letters", in: perDiemHdr + "§01A0,1800.00,,\n", err: ErrCode},
	{name: "rate", in: perDiemHdr + "0120,§1800.001,,\n", err: ErrNumber},
	{name: "duplicate", in: perDiemHdr + "0120,1800.00,2026-01-01,\n§0120,1900.00,2026-01-01,\n", err: ErrDuplicate},
}

func TestLoadPerDiemErrors(t *testing.T) {
	runLoadErrTests(t, perDiemErrTests, func(s string) error {
		_, err := LoadPerDiemSchedule(strings.NewReader(s))
		return err
	})
}

const drgHdr = "drg,relative_weight,effective_from,effective_to\n"

var drgErrTests = []loadErrTest{
	{name: "weight five decimals", in: drgHdr + "470,§1.23456,,\n", err: ErrNumber},
	{name: "weight too big", in: drgHdr + "470,§1000,,\n", err: ErrNumber},
	{name: "overlap", in: drgHdr + "470,1.9,2024-10-01,2025-09-30\n470,1.95,§2025-09-30,\n", err: ErrOverlap},
}

func TestLoadDRGErrors(t *testing.T) {
	runLoadErrTests(t, drgErrTests, func(s string) error {
		_, err := LoadDRGSchedule(strings.NewReader(s))
		return err
	})
}

func TestDRGLookupBoundaries(t *testing.T) {
	s, err := LoadDRGSchedule(strings.NewReader(drgHdr + "470,1.9000,2024-10-01,2025-09-30\n470,1.9125,2025-10-01,\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		date Date
		want int64
	}{{20240930, -1}, {20241001, 19000}, {20250930, 19000}, {20251001, 19125}, {MaxDate, 19125}} {
		got, ok := s.Lookup("470", tt.date)
		if !ok {
			got = -1
		}
		if got != tt.want {
			t.Errorf("Lookup(470, %s) = %d, want %d", tt.date, got, tt.want)
		}
	}
}

func TestLoadCaseRate(t *testing.T) {
	plain, err := LoadCaseRateSchedule(strings.NewReader("drg_or_code,amount\n470,14500.00\nZZ009,2500\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := plain.Lookup("ZZ009", MinDate); !ok || v != 250000 {
		t.Errorf("ZZ009 = %d %v", v, ok)
	}
	dated, err := LoadCaseRateSchedule(strings.NewReader("drg_or_code,amount,effective_from,effective_to\n470,14500.00,2026-01-01,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dated.Lookup("470", 20251231); ok {
		t.Error("dated case rate found before its range")
	}
	runLoadErrTests(t, []loadErrTest{
		{name: "duplicate undated", in: "drg_or_code,amount\n470,1.00\n§470,2.00\n", err: ErrDuplicate},
		{name: "mixed header", in: "¶drg_or_code,amount,effective_from\n470,1.00,\n", err: ErrHeader},
		{name: "undated row with date", in: "drg_or_code,amount\n¶470,1.00,2026-01-01,\n", err: csv.ErrFieldCount},
	}, func(s string) error {
		_, err := LoadCaseRateSchedule(strings.NewReader(s))
		return err
	})
}

func TestNewClaimLevelSchedules(t *testing.T) {
	if _, err := NewPerDiemSchedule([]PerDiemRow{{Key: "0120", RateCents: 1, EffectiveFrom: MinDate, EffectiveTo: MaxDate}}); err != nil {
		t.Error(err)
	}
	if _, err := NewDRGSchedule([]DRGRow{{DRG: "470", Weight: maxWeight + 1, EffectiveFrom: MinDate, EffectiveTo: MaxDate}}); !errors.Is(err, ErrNumber) {
		t.Errorf("DRG weight error = %v", err)
	}
	if _, err := NewCaseRateSchedule([]CaseRateRow{{Key: "470", AmountCents: MaxCents + 1, EffectiveFrom: MinDate, EffectiveTo: MaxDate}}); !errors.Is(err, ErrNumber) {
		t.Errorf("case rate amount error = %v", err)
	}
	if _, err := NewGPCITable(nil); !errors.Is(err, ErrNoRows) {
		t.Errorf("GPCI no rows error = %v", err)
	}
	if _, err := NewRBRVSSchedule([]RBRVSRow{{Code: "ZZ001", WorkRVU: -1, EffectiveFrom: MinDate, EffectiveTo: MaxDate}}); !errors.Is(err, ErrNumber) {
		t.Errorf("RBRVS negative RVU error = %v", err)
	}
}
