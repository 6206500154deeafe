// Package outbound holds what the writers of outbound transaction sets
// (271, 277 status) share: the resolved ISA/GS envelope written through
// the one ISA writer of package ack, and the value checks that turn bad
// input into field errors naming positions, never values.
package outbound

import (
	"errors"
	"fmt"
	"io"
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

// ID is Text for an identifier written as it is (a member ID, a trace,
// a control number): it must also hold only bytes of the X12 basic and
// extended character sets (0x20 through 0x7E), as names, which are
// scrubbed, need not.
func (k Checker) ID(field, elem, v string, min, max int, required bool) {
	k.Text(field, elem, v, min, max, required)
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x7f {
			k.Fail(field, elem, fmt.Errorf("%w: byte outside the X12 character set", ErrInvalid))
			return
		}
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
	// The field names are built only for a failure.
	fromOK, toOK := IsDate(from), IsDate(to)
	if from == "" && (required || to != "") || from != "" && !fromOK {
		k.Date(prefix+"From", elem, from, required || to != "")
	}
	if to != "" && !toOK {
		k.Date(prefix+"To", elem, to, false)
	}
	if fromOK && toOK && to < from {
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

// Interchange describes what a writer puts in one outbound interchange
// of Sets transaction sets of one functional group.
type Interchange struct {
	// Name names the writer in errors ("write <Name>: ...").
	Name string
	// FunctionalID (GS01) and Version (GS08) of the group.
	FunctionalID, Version string
	// Sets is the number of transaction sets.
	Sets int
	// FieldError wraps a problem with the envelope (field is
	// "OutboundEnvelope.<name>") in the writer's own field error type.
	FieldError func(field string, err error) error
	// Check checks every input value and returns every problem.
	Check func() []error
	// Identifiers returns the values written as they are, which the
	// delimiters must avoid (everything but names, which are scrubbed).
	Identifiers func() []string
	// Set writes transaction set i (0-based), ST through SE, with ST02
	// env.SetControl(i).
	Set func(xw *x12.Writer, env *Envelope, d x12.Delimiters, i int)
}

// Write resolves out (see Resolve), checks the input (nothing is written
// when something is wrong: the error joins every problem), chooses
// delimiters that occur in no identifier (out.Delimiters by default;
// ack.PickDelimiters), and writes the ISA, GS, the sets, GE and IEA.
func Write(w io.Writer, out ack.OutboundEnvelope, ic Interchange) error {
	var errs []error
	env, err := Resolve(out, ic.Sets, func(field string, err error) { errs = append(errs, ic.FieldError(field, err)) })
	if err != nil {
		return fmt.Errorf("write %s: %w", ic.Name, err)
	}
	if len(errs) == 0 {
		errs = ic.Check()
	}
	if len(errs) > 0 {
		return fmt.Errorf("write %s: %w", ic.Name, errors.Join(errs...))
	}
	d, ok := ack.PickDelimiters(out.Delimiters, append(env.Values(), ic.Identifiers()...)...)
	if !ok {
		// Identifiers use every candidate: keep the envelope clean and
		// scrub the rest.
		if d, ok = ack.PickDelimiters(out.Delimiters, env.Values()...); !ok {
			return fmt.Errorf("write %s: no usable delimiters for the interchange parties", ic.Name)
		}
	}
	xw := x12.NewWriter(w, d)
	xw.Suffix = out.Suffix
	env.Begin(xw, ic.FunctionalID, ic.Version)
	for i := 0; i < ic.Sets; i++ {
		ic.Set(xw, env, d, i)
	}
	env.End(xw, ic.Sets)
	if err := xw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", ic.Name, err)
	}
	return nil
}

// Position is one index of a field error's position ("response", 2).
type Position struct {
	Name  string
	Index int // 1-based; 0 leaves the position out
}

// FieldErrorText formats a field error of package pkg: its positions,
// the Go field, the X12 element and the problem, never the value.
func FieldErrorText(pkg string, pos []Position, field, elem string, err error) string {
	var b strings.Builder
	b.WriteString(pkg + ": ")
	sep := ""
	for _, p := range pos {
		if p.Index > 0 {
			fmt.Fprintf(&b, "%s%s %d", sep, p.Name, p.Index)
			sep = ", "
		}
	}
	if sep != "" {
		b.WriteString(": ")
	}
	b.WriteString(field)
	if elem != "" {
		b.WriteString(" (" + elem + ")")
	}
	b.WriteString(": " + err.Error())
	return b.String()
}

// Levels numbers the HL segments of one transaction set: HL01 counts
// from 1, HL02 is the parent's HL01.
type Levels struct{ n int }

// Write writes the next HL under parent (0 for none) with level code
// code and child code child ("" to leave HL04 out) and returns its HL01.
func (l *Levels) Write(xw *x12.Writer, parent int, code, child string) int {
	l.n++
	p := ""
	if parent > 0 {
		p = strconv.Itoa(parent)
	}
	xw.Write("HL", strconv.Itoa(l.n), p, code, child)
	return l.n
}

// ChildCode returns HL04: "1" when a child level follows, "0" otherwise.
func ChildCode(more bool) string {
	if more {
		return "1"
	}
	return "0"
}

// Or returns v, or def when v is empty.
func Or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
