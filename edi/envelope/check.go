package envelope

import "bytes"

// digits reports whether b is non-empty and all ASCII digits.
func digits(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// atoi parses a non-empty run of at most 18 digits; ok is false otherwise.
func atoi(b []byte) (int64, bool) {
	if !digits(b) || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func num2(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }

// validDate checks a calendar date given as year, month and day.
func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// validYYMMDD checks ISA09: six digits, a real calendar date (years 2000
// to 2099, as X12 5010 interchanges are dated).
func validYYMMDD(b []byte) bool {
	return len(b) == 6 && digits(b) && validDate(2000+num2(b), num2(b[2:]), num2(b[4:]))
}

// validCCYYMMDD checks a GS04 date.
func validCCYYMMDD(b []byte) bool {
	return len(b) == 8 && digits(b) && validDate(num2(b)*100+num2(b[2:]), num2(b[4:]), num2(b[6:]))
}

// validHHMM checks ISA10: HHMM, 00..23 and 00..59.
func validHHMM(b []byte) bool {
	return len(b) == 4 && digits(b) && num2(b) < 24 && num2(b[2:]) < 60
}

// validTime checks a GS05 time: HHMM, HHMMSS or HHMMSSd..d (up to two
// decimal seconds digits).
func validTime(b []byte) bool {
	switch len(b) {
	case 4:
		return validHHMM(b)
	case 6, 7, 8:
		return digits(b) && validHHMM(b[:4]) && num2(b[4:]) < 60
	}
	return false
}

// trimmed returns b without leading and trailing spaces.
func trimmed(b []byte) []byte { return bytes.Trim(b, " ") }

// sameNumber compares two N0 control numbers numerically when both are
// numbers, byte for byte otherwise.
func sameNumber(a, b []byte) bool {
	x, ok1 := atoi(a)
	y, ok2 := atoi(b)
	if ok1 && ok2 {
		return x == y
	}
	return bytes.Equal(a, b)
}

// printable reports whether b holds only printable ASCII (X12 AN).
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
