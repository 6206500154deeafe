package repricing

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseDecimal: whatever parses must format back to a string that
// parses to the same value, and the value must respect the digit limits.
func FuzzParseDecimal(f *testing.F) {
	for _, tt := range parseDecimalTests {
		f.Add(tt.in, uint8(tt.places), uint8(tt.maxInt))
	}
	f.Fuzz(func(t *testing.T, s string, places, maxInt uint8) {
		p, m := int(places%5), int(maxInt%14)
		v, err := parseDecimal(s, p, m)
		if err != nil {
			return
		}
		if v < 0 {
			t.Fatalf("parseDecimal(%q) = %d < 0", s, v)
		}
		back := formatScaled(v, p)
		if w, err := parseDecimal(back, p, max(m, 1)); err != nil || w != v {
			t.Fatalf("parseDecimal(%q) = %d; formatted %q parses to %d, %v", s, v, back, w, err)
		}
	})
}

// FuzzLoadFeeSchedule: the loader never panics, and every error is a
// *CSVError with a line number.
func FuzzLoadFeeSchedule(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(schedulesDir, "fee_professional.csv")); err == nil {
		f.Add(string(b))
	}
	f.Add(precedenceFees)
	for _, tt := range feeErrTests {
		f.Add(strings.NewReplacer("§", "", "¶", "").Replace(tt.in))
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := LoadFeeSchedule(strings.NewReader(in))
		if err != nil {
			var ce *CSVError
			if !errors.As(err, &ce) || ce.Line < 1 {
				t.Fatalf("error %v (%T) is not a positioned *CSVError", err, err)
			}
			return
		}
		if s.Len() == 0 {
			t.Fatal("loaded an empty schedule")
		}
	})
}

// FuzzLoadContracts: the contracts loader never panics and reports
// *ContractError or *AmbiguityError.
func FuzzLoadContracts(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(schedulesDir, "contracts.yaml")); err == nil {
		f.Add(string(b))
	}
	f.Add(contractsYAML)
	for _, tt := range contractsYAMLErrTests {
		f.Add(strings.ReplaceAll(tt.in, "§", ""))
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, err := LoadContracts(strings.NewReader(in))
		if err == nil {
			return
		}
		var ce *ContractError
		var ae *AmbiguityError
		if !errors.As(err, &ce) && !errors.As(err, &ae) {
			t.Fatalf("error %v (%T) is neither *ContractError nor *AmbiguityError", err, err)
		}
	})
}
