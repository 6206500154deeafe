package synth

import "strconv"

// Hashing: every random choice comes from a PCG stream seeded from
// (Seed, domain, index), so any claim or member can be regenerated from its
// index alone without remembering earlier output.

// Domains separate the independent random streams.
const (
	domControl uint64 = 0x1000 + iota
	domTag
	domCategory
	domClaim
	domPick
	domReplace
	domMember
	domProviderRun
	domSetup
)

// mix64 is the SplitMix64 finalizer, a bijection on uint64.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func seedKey(seed int64) uint64 { return mix64(uint64(seed) + 0x9e3779b97f4a7c15) }

// appendPad appends v in decimal, zero-filled on the left to width digits.
func appendPad(b []byte, v uint64, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for v >= 10 {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	tmp[i] = byte('0' + v)
	for n := len(tmp) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, tmp[i:]...)
}

// appendAmount appends cents as an X12 R number: no decimal point for whole
// amounts and no trailing zeros after it (12500 -> "125", 12550 -> "125.5",
// 12555 -> "125.55").
func appendAmount(b []byte, cents int64) []byte {
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	frac := cents % 100
	if frac == 0 {
		return b
	}
	b = append(b, '.', byte('0'+frac/10))
	if frac%10 != 0 {
		b = append(b, byte('0'+frac%10))
	}
	return b
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date.
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendDate8 appends a day number as CCYYMMDD.
func appendDate8(b []byte, days int) []byte {
	y, m, d := civilFromDays(days)
	b = appendPad(b, uint64(y), 4)
	b = appendPad(b, uint64(m), 2)
	return appendPad(b, uint64(d), 2)
}

// npiCheckDigit returns the Luhn check digit for a 9-digit NPI base,
// computed over the prefix 80840 followed by the base (as the NPI standard
// requires).
func npiCheckDigit(base []byte) byte {
	sum := 24 // the 80840 prefix contributes 24 once doubled per Luhn
	for i := len(base) - 1; i >= 0; i-- {
		d := int(base[i] - '0')
		if (len(base)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}
