package repricing

import (
	"errors"
	"fmt"
	"math/bits"
)

// Fixed-point scales. Money is int64 cents; RVUs, GPCIs and DRG weights are
// int64 scaled by Scale4 (1.2345 is 12345); percentages are basis points
// (70 % is 7000); conversion factors are 1/10000 dollar (33.4009 is 334009).
const (
	// Scale4 is the scale of four-decimal values (RVU, GPCI, DRG weight,
	// conversion factor in dollars).
	Scale4 = 10_000
	// BasisPoints is 100 % expressed in basis points.
	BasisPoints = 10_000
	// MaxCents is the largest money amount the package accepts or produces
	// ($9,999,999,999,999.99). Every intermediate product is computed in
	// 128 bits, so only the inputs and the final per-line and per-claim
	// amounts are bounded; a result above MaxCents is ErrAmountRange.
	MaxCents = 999_999_999_999_999
	// MaxUnits is the largest line quantity in thousandths (99,999,999.999
	// units), the width of an X12 R quantity with three decimals.
	MaxUnits = 99_999_999_999
)

// ErrAmountRange reports a computed amount above MaxCents (or a product that
// does not fit 128 bits on the way there).
var ErrAmountRange = errors.New("amount out of range")

// parseDecimal parses an unsigned decimal with at most places fractional
// digits and at most maxInt integer digits into an int64 scaled by
// 10^places. It never goes through float: "125.5" with places 2 is 12550.
// Accepted: digits, optionally "." and 1..places digits. Rejected: signs,
// exponents, thousands separators, a bare "." or a trailing ".".
func parseDecimal(s string, places, maxInt int) (int64, error) {
	if s == "" {
		return 0, errors.New("empty number")
	}
	var v int64
	i, intDigits := 0, 0
	for ; i < len(s) && s[i] != '.'; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("invalid character %q in %q", c, s)
		}
		if intDigits > 0 || c != '0' {
			intDigits++
		}
		if intDigits > maxInt {
			return 0, fmt.Errorf("%q has more than %d integer digits", s, maxInt)
		}
		v = v*10 + int64(c-'0')
	}
	if i == 0 {
		return 0, fmt.Errorf("%q has no integer digits", s)
	}
	frac := 0
	if i < len(s) {
		i++ // skip '.'
		if i == len(s) {
			return 0, fmt.Errorf("%q ends with a decimal point", s)
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("invalid character %q in %q", c, s)
			}
			frac++
			if frac > places {
				return 0, fmt.Errorf("%q has more than %d decimal places", s, places)
			}
			v = v*10 + int64(c-'0')
		}
	}
	for ; frac < places; frac++ {
		v *= 10
	}
	return v, nil
}

// parseCents parses decimal dollars ("125.50", "125.5", "125") into cents.
func parseCents(s string) (int64, error) {
	return parseDecimal(s, 2, 13)
}

// formatScaled formats v (scaled by 10^places) as a decimal string with
// exactly places fractional digits; used in error messages and tests.
func formatScaled(v int64, places int) string {
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	var b [32]byte
	i := len(b)
	for p := 0; p < places; p++ {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
	}
	if places > 0 {
		i--
		b[i] = '.'
	}
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// formatCents formats cents as decimal dollars ("1234.50").
func formatCents(c int64) string { return formatScaled(c, 2) }

// u128 is an unsigned 128-bit integer for exact intermediate products.
type u128 struct{ hi, lo uint64 }

// mul returns x*m and false if the product does not fit 128 bits.
func (x u128) mul(m uint64) (u128, bool) {
	hhi, hlo := bits.Mul64(x.hi, m)
	lhi, llo := bits.Mul64(x.lo, m)
	hi, carry := bits.Add64(hlo, lhi, 0)
	if hhi != 0 || carry != 0 {
		return u128{}, false
	}
	return u128{hi: hi, lo: llo}, true
}

// divRound returns x/d rounded half up, and false when the quotient does not
// fit 64 bits. d must be non-zero.
func (x u128) divRound(d uint64) (uint64, bool) {
	if x.hi >= d {
		return 0, false
	}
	q, r := bits.Div64(x.hi, x.lo, d)
	// Half up: r >= d - r, written without overflowing r*2.
	if r >= d-r {
		if q == ^uint64(0) {
			return 0, false
		}
		q++
	}
	return q, true
}

// mulDivRound returns a*b/d rounded half up (all non-negative), or
// ErrAmountRange when the result exceeds MaxCents.
func mulDivRound(a, b, d int64) (int64, error) {
	p, _ := u128{lo: uint64(a)}.mul(uint64(b)) // 64x64 always fits 128
	q, ok := p.divRound(uint64(d))
	if !ok || q > MaxCents {
		return 0, ErrAmountRange
	}
	return int64(q), nil
}

// percentOf returns cents × bp / 10000 rounded half up.
func percentOf(cents, bp int64) (int64, error) {
	return mulDivRound(cents, bp, BasisPoints)
}
