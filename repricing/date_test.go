package repricing

import (
	"errors"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-01-15", 20260115, true},
		{"2024-02-29", 20240229, true}, // leap year
		{"2000-02-29", 20000229, true}, // divisible by 400
		{"0001-01-01", MinDate, true},
		{"9999-12-31", MaxDate, true},
		{"1900-02-29", 0, false}, // divisible by 100, not 400
		{"2025-02-29", 0, false},
		{"2026-04-31", 0, false},
		{"2026-13-01", 0, false},
		{"2026-00-10", 0, false},
		{"0000-01-01", 0, false},
		{"2026-1-15", 0, false},
		{"20260115", 0, false},
		{"2026/01/15", 0, false},
		{"2026-01-1x", 0, false},
		{"", 0, false},
	} {
		got, err := ParseDate(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("ParseDate(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrDate) {
			t.Errorf("ParseDate(%q) error %v does not wrap ErrDate", tt.in, err)
		}
	}
}

func TestParseD8(t *testing.T) {
	if d, err := ParseD8("20260301"); err != nil || d != NewDate(2026, 3, 1) {
		t.Fatalf("ParseD8 = %d, %v", d, err)
	}
	for _, bad := range []string{"2026-03-01", "2026030", "20260230", "2026030a"} {
		if _, err := ParseD8(bad); !errors.Is(err, ErrDate) {
			t.Errorf("ParseD8(%q) error = %v, want ErrDate", bad, err)
		}
	}
}

func TestDateString(t *testing.T) {
	if s := NewDate(2026, 3, 1).String(); s != "2026-03-01" {
		t.Errorf("String = %q", s)
	}
	if s := Date(0).String(); s != "" {
		t.Errorf("zero String = %q", s)
	}
	if s := MinDate.String(); s != "0001-01-01" {
		t.Errorf("MinDate String = %q", s)
	}
}

// TestDaysBetween checks the civil-day arithmetic against package time for
// every 7th day across four centuries, and next() for every day.
func TestDaysBetween(t *testing.T) {
	for tm := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC); tm.Year() < 2301; tm = tm.AddDate(0, 0, 7) {
		d := NewDate(tm.Year(), int(tm.Month()), tm.Day())
		want := tm.Unix() / 86400
		if got := d.dayNumber(); got != want {
			t.Fatalf("%s dayNumber = %d, want %d", d, got, want)
		}
	}
	for tm := time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 2102; tm = tm.AddDate(0, 0, 1) {
		d := NewDate(tm.Year(), int(tm.Month()), tm.Day())
		n := tm.AddDate(0, 0, 1)
		if got, want := d.next(), NewDate(n.Year(), int(n.Month()), n.Day()); got != want {
			t.Fatalf("%s.next() = %s, want %s", d, got, want)
		}
	}
	// Worked example: admitted 2026-03-01, discharged 2026-03-04 = 3 days.
	if got := DaysBetween(NewDate(2026, 3, 1), NewDate(2026, 3, 4)); got != 3 {
		t.Errorf("DaysBetween = %d, want 3", got)
	}
	// Across a leap day: 2024-02-28 → 2024-03-01 = 2 days.
	if got := DaysBetween(NewDate(2024, 2, 28), NewDate(2024, 3, 1)); got != 2 {
		t.Errorf("DaysBetween over leap day = %d, want 2", got)
	}
	if got := DaysBetween(MinDate, MaxDate); got != 3652058 {
		t.Errorf("DaysBetween(MinDate, MaxDate) = %d, want 3652058", got)
	}
}
