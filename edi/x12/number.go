package x12

import (
	"math"
	"strconv"
)

// ParseCents parses an X12 R (decimal) money value such as "125", "125.5",
// "-3.25" or ".5" into integer cents. Values with more than two decimal
// places are accepted only when the extra digits are zeros; otherwise
// ErrPrecision is returned.
func ParseCents(b []byte) (int64, error) {
	v, scale, err := parseDecimal(b)
	if err != nil {
		return 0, err
	}
	switch {
	case scale <= 2:
		for ; scale < 2; scale++ {
			if v > math.MaxInt64/10 || v < math.MinInt64/10 {
				return 0, ErrBadNumber
			}
			v *= 10
		}
		return v, nil
	default:
		for ; scale > 2; scale-- {
			if v%10 != 0 {
				return 0, ErrPrecision
			}
			v /= 10
		}
		return v, nil
	}
}

// ParseMilli parses an X12 R value into thousandths (quantities such as
// units of service, "1.5" → 1500). Digits past the third decimal place are
// truncated toward zero.
func ParseMilli(b []byte) (int64, error) {
	v, scale, err := parseDecimal(b)
	if err != nil {
		return 0, err
	}
	for ; scale < 3; scale++ {
		if v > math.MaxInt64/10 || v < math.MinInt64/10 {
			return 0, ErrBadNumber
		}
		v *= 10
	}
	for ; scale > 3; scale-- {
		v /= 10
	}
	return v, nil
}

// parseDecimal parses [-]digits[.digits] into an integer and the number of
// decimal places. At most 18 significant digits are accepted.
func parseDecimal(b []byte) (v int64, scale int, err error) {
	if len(b) == 0 {
		return 0, 0, ErrBadNumber
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
	}
	digits, dot := 0, false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if digits >= 18 {
				return 0, 0, ErrBadNumber
			}
			v = v*10 + int64(c-'0')
			digits++
			if dot {
				scale++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, 0, ErrBadNumber
		}
	}
	if digits == 0 {
		return 0, 0, ErrBadNumber
	}
	if neg {
		v = -v
	}
	return v, scale, nil
}

// AppendCents appends cents formatted as an X12 R value: no decimal point
// for whole amounts, no trailing zeros ("12550" → "125.5").
func AppendCents(dst []byte, cents int64) []byte {
	if cents < 0 {
		dst = append(dst, '-')
		cents = -cents
	}
	dst = strconv.AppendInt(dst, cents/100, 10)
	frac := cents % 100
	switch {
	case frac == 0:
	case frac%10 == 0:
		dst = append(dst, '.', byte('0'+frac/10))
	default:
		dst = append(dst, '.', byte('0'+frac/10), byte('0'+frac%10))
	}
	return dst
}

// FormatCents returns cents formatted as an X12 R value.
func FormatCents(cents int64) string {
	var buf [24]byte // "-92233720368547758.08"
	return string(AppendCents(buf[:0], cents))
}

// AppendMilli appends thousandths formatted as an X12 R value ("1500" → "1.5").
func AppendMilli(dst []byte, milli int64) []byte {
	if milli < 0 {
		dst = append(dst, '-')
		milli = -milli
	}
	dst = strconv.AppendInt(dst, milli/1000, 10)
	frac := milli % 1000
	if frac == 0 {
		return dst
	}
	d := []byte{byte('0' + frac/100), byte('0' + frac/10%10), byte('0' + frac%10)}
	for len(d) > 0 && d[len(d)-1] == '0' {
		d = d[:len(d)-1]
	}
	dst = append(dst, '.')
	return append(dst, d...)
}
