// Package outbound holds what the writers of outbound transaction sets
// (271, 277 status) share: the resolved ISA/GS envelope written through
// the one ISA writer of package ack, and the value checks that turn bad
// input into field errors naming positions, never values.
package outbound

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Errors the checks report (wrapped with detail).
var (
	// ErrMissing means a required value is empty.
	ErrMissing = errors.New("required value missing")
	// ErrInvalid means a value has the wrong length, format or code.
	ErrInvalid = errors.New("invalid value")
	// ErrEmpty means there is nothing to write.
	ErrEmpty = errors.New("nothing to write")
)

const maxControl = 999_999_999

// isaQualifiers are the ISA05/ISA07 interchange ID qualifiers of 5010.
var isaQualifiers = []string{"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"}

// Envelope is a resolved outbound interchange holding one functional
// group.
type Envelope struct {
	SenderQualifier, SenderID, ReceiverQualifier, ReceiverID string
	AppSender, AppReceiver                                   string // GS02, GS03
	Usage                                                    string
	AckRequested                                             bool
	Control, Group, FirstSet                                 int64
	Time                                                     time.Time
}

// Resolve applies the defaults of out for an interchange of n sets:
// qualifiers ZZ, GS02/GS03 the ISA IDs, usage P, first ST02 1. Control
// numbers, the time and both parties are required (there is no received
// ISA to answer); their absence is returned as the ack errors. Field
// problems (qualifier, ID length, usage, year) go to fail with the
// OutboundEnvelope field name; Resolve then returns a nil Envelope.
func Resolve(out ack.OutboundEnvelope, n int, fail func(field string, err error)) (*Envelope, error) {
	switch {
	case out.Control < 1 || out.Control > maxControl:
		return nil, fmt.Errorf("isa13 %d: %w", out.Control, ack.ErrControlNumber)
	case out.GroupControl < 1 || out.GroupControl > maxControl:
		return nil, fmt.Errorf("gs06 %d: %w", out.GroupControl, ack.ErrControlNumber)
	case out.Time.IsZero():
		return nil, ack.ErrNoTime
	case out.SenderID == "" || out.ReceiverID == "":
		return nil, ack.ErrNoParty
	}
	e := &Envelope{SenderQualifier: or(out.SenderQualifier, "ZZ"), SenderID: out.SenderID,
		ReceiverQualifier: or(out.ReceiverQualifier, "ZZ"), ReceiverID: out.ReceiverID,
		AppSender: or(out.AppSender, out.SenderID), AppReceiver: or(out.AppReceiver, out.ReceiverID),
		Usage: or(out.Usage, "P"), AckRequested: out.AckRequested, Control: out.Control,
		Group: out.GroupControl, FirstSet: max(out.SetControl, 1), Time: out.Time}
	if out.SetControl < 0 || e.FirstSet+int64(max(n, 1))-1 > maxControl {
		return nil, fmt.Errorf("st02 %d: %w", out.SetControl, ack.ErrControlNumber)
	}
	ok := true
	bad := func(field string, err error) { ok = false; fail("OutboundEnvelope."+field, err) }
	for _, q := range []struct{ field, v string }{{"SenderQualifier", e.SenderQualifier}, {"ReceiverQualifier", e.ReceiverQualifier}} {
		if !slices.Contains(isaQualifiers, q.v) {
			bad(q.field, fmt.Errorf("%w: not one of %s", ErrInvalid, strings.Join(isaQualifiers, " ")))
		}
	}
	for _, f := range []struct {
		field, v string
		min      int
	}{{"SenderID", e.SenderID, 1}, {"ReceiverID", e.ReceiverID, 1}, {"AppSender", e.AppSender, 2}, {"AppReceiver", e.AppReceiver, 2}} {
		if len(f.v) < f.min || len(f.v) > 15 || strings.TrimSpace(f.v) == "" {
			bad(f.field, fmt.Errorf("%w: length must be %d to 15", ErrInvalid, f.min))
		}
	}
	if e.Usage != "P" && e.Usage != "T" && e.Usage != "I" {
		bad("Usage", fmt.Errorf("%w: not P, T or I", ErrInvalid))
	}
	if y := e.Time.Year(); y < 2000 || y > 2099 {
		bad("Time", fmt.Errorf("%w: ISA09 year must be 20YY", ErrInvalid))
	}
	if !ok {
		return nil, nil
	}
	return e, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// Values returns the envelope values the delimiters must avoid.
func (e *Envelope) Values() []string {
	return []string{e.SenderQualifier, e.SenderID, e.ReceiverQualifier, e.ReceiverID, e.AppSender, e.AppReceiver, e.Usage}
}

// Begin writes the ISA (through ack.WriteISA) and the GS of a group of
// functionalID sets of version.
func (e *Envelope) Begin(xw *x12.Writer, functionalID, version string) {
	ack.WriteISA(xw, ack.ISA{SenderQualifier: e.SenderQualifier, SenderID: e.SenderID,
		ReceiverQualifier: e.ReceiverQualifier, ReceiverID: e.ReceiverID, Time: e.Time, Control: e.Control,
		AckRequested: e.AckRequested, Usage: e.Usage})
	xw.Write("GS", functionalID, e.AppSender, e.AppReceiver, e.Time.Format("20060102"), e.Time.Format("1504"),
		strconv.FormatInt(e.Group, 10), "X", version)
}

// End writes the GE of sets transaction sets and the IEA.
func (e *Envelope) End(xw *x12.Writer, sets int) {
	xw.Write("GE", strconv.Itoa(sets), strconv.FormatInt(e.Group, 10))
	ack.WriteIEA(xw, 1, e.Control)
}

// SetControl returns ST02 of the i-th set (0-based): "0001", ...
func (e *Envelope) SetControl(i int) string { return fmt.Sprintf("%04d", e.FirstSet+int64(i)) }

// Period returns DTP02 and DTP03 for a date or a date range: D8 when to
// is empty or equal to from, RD8 otherwise.
func Period(from, to string) (string, string) {
	if to == "" || to == from {
		return "D8", from
	}
	return "RD8", from + "-" + to
}

// Checker checks input values and reports each problem to Fail with the
// Go field name and the X12 element it goes to.
type Checker struct {
	Fail func(field, elem string, err error)
}

// Text checks a string of min to max characters without control
// characters; empty is an error only when required.
func (k Checker) Text(field, elem, v string, min, max int, required bool) {
	switch {
	case v == "":
		if required {
			k.Fail(field, elem, ErrMissing)
		}
	case len(v) < min || len(v) > max:
		k.Fail(field, elem, fmt.Errorf("%w: length must be %d to %d", ErrInvalid, min, max))
	case strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0:
		k.Fail(field, elem, fmt.Errorf("%w: control character", ErrInvalid))
	}
}

// Code checks v against a code list (an empty v passes).
func (k Checker) Code(field, elem, v string, list []string) {
	if v != "" && !slices.Contains(list, v) {
		k.Fail(field, elem, fmt.Errorf("%w: not one of %s", ErrInvalid, strings.Join(list, " ")))
	}
}

// Date checks a CCYYMMDD date.
func (k Checker) Date(field, elem, v string, required bool) {
	switch {
	case v == "":
		if required {
			k.Fail(field, elem, ErrMissing)
		}
	case !IsDate(v):
		k.Fail(field, elem, fmt.Errorf("%w: not a CCYYMMDD date", ErrInvalid))
	}
}

// Period checks a from/to date pair named prefix+"From"/"To": from is
// required when to is set (or required is), to is not before from.
func (k Checker) Period(prefix, elem, from, to string, required bool) {
	k.Date(prefix+"From", elem, from, required || to != "")
	k.Date(prefix+"To", elem, to, false)
	if IsDate(from) && IsDate(to) && to < from {
		k.Fail(prefix+"To", elem, fmt.Errorf("%w: before %sFrom", ErrInvalid, prefix))
	}
}

// Amount checks a non-negative amount in cents.
func (k Checker) Amount(field, elem string, cents int64) {
	if cents < 0 {
		k.Fail(field, elem, fmt.Errorf("%w: negative", ErrInvalid))
	}
}

// IsDate reports whether v is a CCYYMMDD calendar date from year 1800
// (the implementation-guide parser's range).
func IsDate(v string) bool {
	if len(v) != 8 {
		return false
	}
	t, err := time.Parse("20060102", v)
	return err == nil && t.Year() >= 1800
}
