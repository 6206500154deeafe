package pipeline

import "testing"

// TestClaimControlNumbers checks that a set's control numbers are those
// FormatClaimControlNumber gives, around the 12-digit limit too.
func TestClaimControlNumbers(t *testing.T) {
	for _, first := range []int64{0, 1, 999, 999_999_999_990, -3} {
		got := claimControlNumbers(first, 20)
		if len(got) != 20 {
			t.Fatalf("%d: %d numbers, want 20", first, len(got))
		}
		for i, s := range got {
			if want := FormatClaimControlNumber(first + int64(i)); s != want {
				t.Errorf("%d+%d: %q, want %q", first, i, s, want)
			}
		}
	}
}
