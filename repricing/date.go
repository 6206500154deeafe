package repricing

import (
	"errors"
	"fmt"
)

// Date is a calendar date packed as the decimal number YYYYMMDD (2026-01-15
// is Date(20260115)), so dates compare with < and >. The zero Date means
// "not set". Dates carry no time zone: X12 and the schedules use local
// calendar dates.
type Date uint32

// Bounds of the dates the package accepts.
const (
	// MinDate is the earliest valid date (0001-01-01); an empty
	// effective_from means MinDate.
	MinDate Date = 10101
	// MaxDate is the latest valid date (9999-12-31); an empty effective_to
	// means MaxDate (open ended).
	MaxDate Date = 99991231
)

// ErrDate reports a malformed or impossible date.
var ErrDate = errors.New("invalid date")

// NewDate packs year, month and day without validating them; use Valid.
func NewDate(year, month, day int) Date {
	return Date(year*10000 + month*100 + day)
}

// Year returns the year of d.
func (d Date) Year() int { return int(d / 10000) }

// Month returns the month of d (1..12 when d is valid).
func (d Date) Month() int { return int(d / 100 % 100) }

// Day returns the day of the month of d (1..31 when d is valid).
func (d Date) Day() int { return int(d % 100) }

// Valid reports whether d is a real calendar date between MinDate and
// MaxDate. The zero Date is not valid.
func (d Date) Valid() bool {
	y, m, day := d.Year(), d.Month(), d.Day()
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && day >= 1 && day <= daysIn(y, m)
}

// String formats d as YYYY-MM-DD ("" for the zero Date).
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	var b [10]byte
	y, m, day := d.Year(), d.Month(), d.Day()
	b[0], b[1], b[2], b[3] = byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[4] = '-'
	b[5], b[6] = byte('0'+m/10%10), byte('0'+m%10)
	b[7] = '-'
	b[8], b[9] = byte('0'+day/10%10), byte('0'+day%10)
	return string(b[:])
}

// ParseDate parses "YYYY-MM-DD" (the schedule and contract file format).
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("%w %q: want YYYY-MM-DD", ErrDate, s)
	}
	return parseDigits(s, s[0:4], s[5:7], s[8:10])
}

// ParseD8 parses the X12 D8 form "CCYYMMDD".
func ParseD8(s string) (Date, error) {
	if len(s) != 8 {
		return 0, fmt.Errorf("%w %q: want CCYYMMDD", ErrDate, s)
	}
	return parseDigits(s, s[0:4], s[4:6], s[6:8])
}

func parseDigits(s, ys, ms, ds string) (Date, error) {
	var v [3]int
	for i, part := range [3]string{ys, ms, ds} {
		for j := 0; j < len(part); j++ {
			c := part[j]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%w %q", ErrDate, s)
			}
			v[i] = v[i]*10 + int(c-'0')
		}
	}
	d := NewDate(v[0], v[1], v[2])
	if !d.Valid() {
		return 0, fmt.Errorf("%w %q: no such day", ErrDate, s)
	}
	return d, nil
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dayNumber returns the number of days from 1970-01-01 to d (Howard
// Hinnant's days_from_civil); d must be valid.
func (d Date) dayNumber() int64 {
	y, m, day := int64(d.Year()), int64(d.Month()), int64(d.Day())
	if m <= 2 {
		y--
	}
	era := y / 400 // y >= 0 for valid dates
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// DaysBetween returns to − from in days (negative when to is earlier). Both
// dates must be valid.
func DaysBetween(from, to Date) int64 {
	return to.dayNumber() - from.dayNumber()
}
