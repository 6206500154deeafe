package x12price

import (
	"testing"
	"time"
)

// TestDateD8 checks the cached received date against time.Format, in
// and out of UTC, across days and back.
func TestDateD8(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	for _, tm := range []time.Time{
		time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 8, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC).In(est), // the 7th in EST
		time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC),
		time.Date(1999, 1, 2, 0, 0, 0, 0, time.UTC),
		time.Date(1999, 1, 2, 0, 0, 0, 0, time.UTC),
	} {
		if got, want := dateD8(tm), tm.Format("20060102"); got != want {
			t.Errorf("dateD8(%v) = %s, want %s", tm, got, want)
		}
	}
}
