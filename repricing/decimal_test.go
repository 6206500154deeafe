package repricing

import (
	"errors"
	"math"
	"testing"
)

var parseDecimalTests = []struct {
	name    string
	in      string
	places  int
	maxInt  int
	want    int64
	wantErr bool
}{
	{name: "cents", in: "125.50", places: 2, maxInt: 13, want: 12550},
	{name: "one decimal", in: "125.5", places: 2, maxInt: 13, want: 12550},
	{name: "integer", in: "125", places: 2, maxInt: 13, want: 12500},
	{name: "zero", in: "0", places: 2, maxInt: 13, want: 0},
	{name: "zero cents", in: "0.00", places: 2, maxInt: 13, want: 0},
	{name: "leading zeros", in: "000125.50", places: 2, maxInt: 3, want: 12550},
	{name: "one cent", in: "0.01", places: 2, maxInt: 13, want: 1},
	// 9,999,999,999,999.99 is MaxCents exactly.
	{name: "max cents", in: "9999999999999.99", places: 2, maxInt: 13, want: MaxCents},
	{name: "too many integer digits", in: "10000000000000", places: 2, maxInt: 13, wantErr: true},
	{name: "three decimals", in: "1.005", places: 2, maxInt: 13, wantErr: true},
	{name: "negative", in: "-1.00", places: 2, maxInt: 13, wantErr: true},
	{name: "plus", in: "+1.00", places: 2, maxInt: 13, wantErr: true},
	{name: "thousands separator", in: "1,000.00", places: 2, maxInt: 13, wantErr: true},
	{name: "dollar sign", in: "$5", places: 2, maxInt: 13, wantErr: true},
	{name: "exponent", in: "1e3", places: 2, maxInt: 13, wantErr: true},
	{name: "bare point", in: ".", places: 2, maxInt: 13, wantErr: true},
	{name: "no integer part", in: ".5", places: 2, maxInt: 13, wantErr: true},
	{name: "trailing point", in: "5.", places: 2, maxInt: 13, wantErr: true},
	{name: "empty", in: "", places: 2, maxInt: 13, wantErr: true},
	{name: "space inside", in: "1 .00", places: 2, maxInt: 13, wantErr: true},
	{name: "rvu four places", in: "1.2345", places: 4, maxInt: 5, want: 12345},
	{name: "rvu short", in: "0.1", places: 4, maxInt: 5, want: 1000},
	{name: "rvu five places", in: "1.23456", places: 4, maxInt: 5, wantErr: true},
	{name: "conversion factor", in: "33.4009", places: 4, maxInt: 5, want: 334009},
	{name: "gpci limit", in: "99.9999", places: 4, maxInt: 2, want: 999999},
	{name: "gpci too big", in: "100.0", places: 4, maxInt: 2, wantErr: true},
}

func TestParseDecimal(t *testing.T) {
	for _, tt := range parseDecimalTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDecimal(tt.in, tt.places, tt.maxInt)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("parseDecimal(%q) = %d, want error", tt.in, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseDecimal(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatScaled(t *testing.T) {
	for _, tt := range []struct {
		v      int64
		places int
		want   string
	}{
		{12550, 2, "125.50"}, {5, 2, "0.05"}, {0, 2, "0.00"}, {-1, 2, "-0.01"},
		{334009, 4, "33.4009"}, {7, 0, "7"}, {math.MinInt64, 2, "-92233720368547758.08"},
	} {
		if got := formatScaled(tt.v, tt.places); got != tt.want {
			t.Errorf("formatScaled(%d, %d) = %q, want %q", tt.v, tt.places, got, tt.want)
		}
	}
}

var mulDivTests = []struct {
	name    string
	a, b, d int64
	want    int64
	err     error
}{
	// 8.75 × 12.5 units = 109.375 → 109.38 (half up).
	{name: "half up", a: 875, b: 12500, d: 1000, want: 10938},
	// 8.75 × 12.499 units = 109.36625 → 109.37.
	{name: "above half", a: 875, b: 12499, d: 1000, want: 10937},
	// 0.05 × 0.1 unit = 0.005 → 0.01.
	{name: "tiny half", a: 5, b: 100, d: 1000, want: 1},
	// 0.05 × 0.099 unit = 0.00495 → 0.00.
	{name: "tiny below half", a: 5, b: 99, d: 1000, want: 0},
	{name: "zero", a: 0, b: 12345, d: 1000, want: 0},
	// MaxCents × 1 unit stays MaxCents: 999999999999999 × 1000 / 1000.
	{name: "max exact", a: MaxCents, b: 1000, d: 1000, want: MaxCents},
	// MaxCents × 1.001 units exceeds MaxCents.
	{name: "over max", a: MaxCents, b: 1001, d: 1000, err: ErrAmountRange},
	// int64 max squared needs 126 bits; the quotient does not fit 64 bits.
	{name: "huge", a: math.MaxInt64, b: math.MaxInt64, d: 1, err: ErrAmountRange},
	// 9.2e18 × 9.2e18 / 9.2e18 fits 64 bits but exceeds MaxCents.
	{name: "huge quotient", a: math.MaxInt64, b: math.MaxInt64, d: math.MaxInt64, err: ErrAmountRange},
}

func TestMulDivRound(t *testing.T) {
	for _, tt := range mulDivTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mulDivRound(tt.a, tt.b, tt.d)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("mulDivRound(%d, %d, %d) = %d, %v; want %d, %v", tt.a, tt.b, tt.d, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestU128(t *testing.T) {
	// (2^64 − 1) × 2 = 2^65 − 2: hi 1, lo 2^64 − 2.
	p, ok := u128{lo: math.MaxUint64}.mul(2)
	if !ok || p.hi != 1 || p.lo != math.MaxUint64-1 {
		t.Fatalf("mul = %+v, %v", p, ok)
	}
	// (2^65 − 2) / 4 = 2^63 − 0.5 → half up 2^63.
	q, ok := p.divRound(4)
	if !ok || q != 1<<63 {
		t.Fatalf("divRound = %d, %v; want 2^63", q, ok)
	}
	if _, ok := (u128{hi: 1 << 63}).mul(2); ok {
		t.Fatal("mul overflow not detected")
	}
	if _, ok := (u128{hi: 5}).divRound(5); ok {
		t.Fatal("divRound quotient overflow not detected")
	}
	// 2^64 − 1 (all ones) / 1 fits, but rounding never adds to it: r = 0.
	if q, ok := (u128{lo: math.MaxUint64}).divRound(1); !ok || q != math.MaxUint64 {
		t.Fatalf("divRound(max, 1) = %d, %v", q, ok)
	}
	// (2^64 − 1) × 2 + 1 over 2: 2^64 − 0.5 rounds up past 64 bits.
	if _, ok := (u128{hi: 1, lo: math.MaxUint64}).divRound(2); ok {
		t.Fatal("rounding overflow not detected")
	}
}
