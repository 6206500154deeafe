package remit

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/internal/outbound"
)

// Errors a FieldError may wrap (besides ErrUnbalanced). ErrMissing,
// ErrInvalid and ErrEmpty are the ones every writer of outbound sets
// shares (package edi/internal/outbound), so errors.Is works across them.
var (
	// ErrMissing means a required value is empty.
	ErrMissing = outbound.ErrMissing
	// ErrInvalid means a value has the wrong length, format or code.
	ErrInvalid = outbound.ErrInvalid
	// ErrTooMany means more values than the 835 can carry in one segment
	// or loop (more than six CAS reasons or PLB items, 99 CAS segments).
	ErrTooMany = errors.New("too many values")
	// ErrEmpty means there is nothing to write.
	ErrEmpty = outbound.ErrEmpty
)

// FieldError says which input value Write refused and why. It names the
// position of the value, never the value itself (names and member IDs are
// PHI); balancing errors quote the amounts, which are not.
type FieldError struct {
	// Remittance, Claim, Line and Adjustment are 1-based indexes of the
	// remittance, the claim (counted across groups), the line and the
	// PLB segment; 0 when not applicable.
	Remittance, Claim, Line, Adjustment int
	// Field is the Go field, e.g. "Claim.Paid".
	Field string
	// Element is where the value goes, e.g. "2100 CLP04".
	Element string
	// Err is ErrMissing, ErrInvalid, ErrTooMany, ErrEmpty or
	// ErrUnbalanced, possibly wrapped with detail.
	Err error
}

// Error describes the position and the problem.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("remit: ")
	pos := []struct {
		name string
		n    int
	}{{"remittance", e.Remittance}, {"claim", e.Claim}, {"line", e.Line}, {"provider adjustment", e.Adjustment}}
	sep := ""
	for _, p := range pos {
		if p.n > 0 {
			fmt.Fprintf(&b, "%s%s %d", sep, p.name, p.n)
			sep = ", "
		}
	}
	if sep != "" {
		b.WriteString(": ")
	}
	b.WriteString(e.Field)
	if e.Element != "" {
		b.WriteString(" (" + e.Element + ")")
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// checker collects FieldErrors at the current position.
type checker struct {
	errs                    []error
	remit, claim, line, plb int
}

func (k *checker) fail(field, elem string, err error) {
	k.errs = append(k.errs, &FieldError{Remittance: k.remit, Claim: k.claim, Line: k.line, Adjustment: k.plb,
		Field: field, Element: elem, Err: err})
}

// text checks a string of min..max characters (required or optional)
// holding no control characters.
func (k *checker) text(field, elem, v string, min, max int, required bool) {
	switch {
	case v == "":
		if required {
			k.fail(field, elem, ErrMissing)
		}
	case len(v) < min || len(v) > max:
		k.fail(field, elem, fmt.Errorf("%w: length must be %d to %d", ErrInvalid, min, max))
	case strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r >= 0x7f }) >= 0:
		k.fail(field, elem, fmt.Errorf("%w: character outside the X12 character set", ErrInvalid))
	}
}

// code checks v against a code list (empty passes unless required).
func (k *checker) code(field, elem, v string, list []string, required bool) {
	if v == "" {
		if required {
			k.fail(field, elem, ErrMissing)
		}
		return
	}
	if !slices.Contains(list, v) {
		k.fail(field, elem, fmt.Errorf("%w: not one of %s", ErrInvalid, strings.Join(list, " ")))
	}
}

// date checks a CCYYMMDD date (the shared outbound date check).
func (k *checker) date(field, elem, v string, required bool) {
	if v == "" {
		if required {
			k.fail(field, elem, ErrMissing)
		}
		return
	}
	if !outbound.IsDate(v) {
		k.fail(field, elem, fmt.Errorf("%w: not a CCYYMMDD date", ErrInvalid))
	}
}
