package csvsub

import (
	"strconv"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// checker collects the errors of one row.
type checker struct {
	row  int
	errs []RowError
}

func (c *checker) fail(col, code, reason string) {
	c.errs = append(c.errs, RowError{Row: c.row, Column: col, Code: code, Reason: reason})
}

// x12Safe reports whether v can go in an X12 element as it is: printable
// ASCII other than the delimiters we write with (* : ^ ~).
func x12Safe(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < ' ' || c > '~' || c == '*' || c == ':' || c == '^' || c == '~' {
			return false
		}
	}
	return true
}

// text checks a free-text value: required or not, at most max characters,
// X12-safe. It returns the value upper-cased (X12 names are upper case by
// convention; the roster compares names ignoring case).
func (c *checker) text(col, v string, required bool, max int) string {
	switch {
	case v == "":
		if required {
			c.fail(col, CodeRequired, "required")
		}
		return ""
	case len(v) > max:
		c.fail(col, CodeFormat, "longer than "+itoa(max)+" characters")
	case !x12Safe(v):
		c.fail(col, CodeFormat, "characters other than printable ASCII, or one of * : ^ ~")
	}
	return strings.ToUpper(v)
}

// ident checks an identifier: letters, digits, '-' and '_' only.
func (c *checker) ident(col, v string, required bool, max int) string {
	if v == "" {
		if required {
			c.fail(col, CodeRequired, "required")
		}
		return ""
	}
	if len(v) > max {
		c.fail(col, CodeFormat, "longer than "+itoa(max)+" characters")
		return v
	}
	for i := 0; i < len(v); i++ {
		if !isAlnum(v[i]) && v[i] != '-' && v[i] != '_' {
			c.fail(col, CodeFormat, "only letters, digits, '-' and '_' allowed")
			break
		}
	}
	return v
}

// date checks a YYYY-MM-DD (or CCYYMMDD) date between 1900-01-01 and
// today (CCYYMMDD; "" does not bound) and returns it as CCYYMMDD.
func (c *checker) date(col, v string, required bool, today string) string {
	if v == "" {
		if required {
			c.fail(col, CodeRequired, "required")
		}
		return ""
	}
	d := v
	if len(d) == 10 && d[4] == '-' && d[7] == '-' {
		d = d[:4] + d[5:7] + d[8:]
	}
	if _, err := time.Parse("20060102", d); err != nil || len(d) != 8 {
		c.fail(col, CodeFormat, "not a date YYYY-MM-DD")
		return ""
	}
	if d < "19000101" {
		c.fail(col, CodeFormat, "before 1900-01-01")
		return ""
	}
	if today != "" && d > today {
		c.fail(col, CodeFormat, "in the future")
		return ""
	}
	return d
}

// digits checks a value of exactly n digits (any of ns), after removing
// the hyphens people write in ZIP+4 and TINs.
func (c *checker) digits(col, v string, required bool, ns ...int) string {
	if v == "" {
		if required {
			c.fail(col, CodeRequired, "required")
		}
		return ""
	}
	d := strings.ReplaceAll(v, "-", "")
	ok := false
	for _, n := range ns {
		ok = ok || len(d) == n
	}
	for i := 0; i < len(d); i++ {
		ok = ok && d[i] >= '0' && d[i] <= '9'
	}
	if !ok {
		want := itoa(ns[0])
		for _, n := range ns[1:] {
			want += " or " + itoa(n)
		}
		c.fail(col, CodeFormat, "want "+want+" digits")
		return ""
	}
	return d
}

// npi checks a National Provider Identifier (10 digits, check digit).
func (c *checker) npi(col, v string, required bool) string {
	d := c.digits(col, v, required, 10)
	if d != "" && !schema.ValidNPI(d) {
		c.fail(col, CodeFormat, "not an NPI: wrong check digit")
		return ""
	}
	return d
}

// state checks a US state or territory code (2 letters).
func (c *checker) state(col, v string, required bool) string {
	if v == "" {
		if required {
			c.fail(col, CodeRequired, "required")
		}
		return ""
	}
	if len(v) != 2 || !isAlpha(v[0]) || !isAlpha(v[1]) {
		c.fail(col, CodeFormat, "want a 2-letter state code")
		return ""
	}
	return strings.ToUpper(v)
}

// money checks a non-negative dollar amount with at most two decimals
// and at most maxCents, and returns it in cents.
func (c *checker) money(col, v string, maxCents int64) int64 {
	if v == "" {
		c.fail(col, CodeRequired, "required")
		return 0
	}
	v = strings.TrimPrefix(v, "$")
	cents, err := x12.ParseCents([]byte(v))
	switch {
	case err != nil:
		c.fail(col, CodeFormat, "not an amount like 125.00")
	case cents < 0:
		c.fail(col, CodeFormat, "negative")
	case cents > maxCents:
		c.fail(col, CodeFormat, "above "+x12.FormatCents(maxCents))
	default:
		return cents
	}
	return 0
}

// list splits a ';'-separated list (spaces around items ignored).
func list(v string) []string {
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isAlpha(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

func itoa(n int) string { return strconv.Itoa(n) }

// hcpcs reports whether v is a HCPCS Level I/II code shape: five
// characters, letters and digits (A0425, 99213, 3044F).
func hcpcs(v string) bool {
	if len(v) != 5 {
		return false
	}
	for i := 0; i < 5; i++ {
		if !isAlnum(v[i]) {
			return false
		}
	}
	return true
}

// icd10 reports whether v is an ICD-10-CM code shape without the dot: a
// letter, a digit, then 1 to 5 letters or digits (E119, Z0000, S93401A).
func icd10(v string) bool {
	if len(v) < 3 || len(v) > 7 || !isAlpha(v[0]) || !isDigit(v[1]) {
		return false
	}
	for i := 2; i < len(v); i++ {
		if !isAlnum(v[i]) {
			return false
		}
	}
	return true
}
