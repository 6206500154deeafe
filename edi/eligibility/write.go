package eligibility

import (
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/internal/outbound"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Errors a FieldError may wrap.
var (
	// ErrMissing means a required value is empty.
	ErrMissing = outbound.ErrMissing
	// ErrInvalid means a value has the wrong length, format or code.
	ErrInvalid = outbound.ErrInvalid
	// ErrEmpty means there is nothing to write (no response).
	ErrEmpty = outbound.ErrEmpty
	// ErrTooMany means more values than the 271 can carry.
	ErrTooMany = errors.New("too many values")
	// ErrConflict means values that cannot go together (rejects and
	// benefits on one level, a dependent without a subscriber).
	ErrConflict = errors.New("conflicting values")
)

// FieldError says which input value Write271 refused and why. It names
// the position of the value, never the value itself (names and member IDs
// are PHI).
type FieldError struct {
	// Response is the 1-based index of the response (0: the envelope).
	Response int
	// Field is the Go field, e.g. "Subscriber.Benefits[0].Code".
	Field string
	// Element is where the value goes, e.g. "2110C EB01".
	Element string
	// Err is ErrMissing, ErrInvalid, ErrEmpty, ErrTooMany or ErrConflict,
	// possibly wrapped with detail.
	Err error
}

// Error describes the position and the problem.
func (e *FieldError) Error() string {
	return outbound.FieldErrorText("eligibility", []outbound.Position{{Name: "response", Index: e.Response}},
		e.Field, e.Element, e.Err)
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// guide271 is the X279A1 271 table: the code lists Write271 checks
// against are the validator's.
var guide271 = schema.Lookup("271", Version)

// Write271 writes responses as one interchange holding one functional
// group (GS01 HB, GS08 005010X279A1) with one 271 transaction set per
// Response, numbered out.SetControl (default 1), out.SetControl+1, ...
//
// out addresses and numbers the interchange: Control (ISA13),
// GroupControl (GS06), Time, SenderID and ReceiverID are required;
// qualifiers default to ZZ, GS02/GS03 to the ISA IDs, Usage to P. SE01,
// GE01 and IEA01 are counted here.
//
// Every input value is checked before anything is written; the error then
// joins one *FieldError per problem, naming positions, never values.
// Delimiters are out.Delimiters (default * ^ : ~) unless an identifier
// being echoed contains one; then an unused delimiter is chosen
// (ack.PickDelimiters). Names and messages do not move delimiters: a
// delimiter inside one becomes a space (ack.Scrub).
func Write271(w io.Writer, responses []Response, out ack.OutboundEnvelope) error {
	return outbound.Write(w, out, outbound.Interchange{
		Name: "271", FunctionalID: FunctionalIDResponse, Version: Version, Sets: len(responses),
		FieldError:  func(field string, err error) error { return &FieldError{Field: field, Err: err} },
		Check:       func() []error { return check(responses) },
		Identifiers: func() []string { return identifiers(responses) },
		Set: func(xw *x12.Writer, env *outbound.Envelope, d x12.Delimiters, i int) {
			sw := setWriter{xw: xw, d: d}
			sw.set(&responses[i], env, i)
		},
	})
}

// identifiers returns the values echoed back that delimiters must avoid:
// everything but names and messages.
func identifiers(rs []Response) []string {
	var v []string
	party := func(p *Party) { v = append(v, p.EntityCode, p.EntityType, p.IDQualifier, p.ID) }
	rejects := func(rr []Reject) {
		for _, r := range rr {
			v = append(v, r.Code, r.Action)
		}
	}
	dates := func(ds []Date) {
		for _, d := range ds {
			v = append(v, d.Qualifier, d.From, d.To)
		}
	}
	for i := range rs {
		r := &rs[i]
		v = append(v, r.Reference)
		party(&r.Source)
		party(&r.Receiver)
		rejects(r.SourceRejects)
		rejects(r.ReceiverRejects)
		for _, s := range []*Subject{r.Subscriber, r.Dependent} {
			if s == nil {
				continue
			}
			party(&s.Party)
			for _, t := range s.Traces {
				v = append(v, t.Type, t.Number, t.Originator, t.Secondary)
			}
			for _, f := range s.Refs {
				v = append(v, f.Qualifier, f.Value)
			}
			v = append(v, s.BirthDate, s.Gender)
			dates(s.Dates)
			rejects(s.Rejects)
			for _, b := range s.Benefits {
				v = append(v, b.Code, b.CoverageLevel, b.InsuranceType, b.TimePeriod, b.Percent,
					b.QuantityQualifier, b.Quantity, b.AuthorizationRequired, b.InNetwork)
				v = append(v, b.ServiceTypes...)
				dates(b.Dates)
				rejects(b.Rejects)
			}
		}
	}
	return v
}

// setWriter writes one 271 transaction set.
type setWriter struct {
	xw *x12.Writer
	d  x12.Delimiters
	hl outbound.Levels
}

// v scrubs a value of the delimiters.
func (sw *setWriter) v(s string) string { return ack.Scrub(s, sw.d) }

func (sw *setWriter) set(r *Response, env *outbound.Envelope, i int) {
	xw := sw.xw
	st02 := env.SetControl(i)
	xw.ResetCount()
	xw.Write("ST", "271", st02, Version)
	xw.Write("BHT", "0022", "11", sw.v(r.Reference), env.Time.Format("20060102"), env.Time.Format("1504"))

	srcOK := len(r.SourceRejects) == 0
	hlA := sw.hl.Write(sw.xw, 0, "20", outbound.ChildCode(srcOK))
	sw.nm1(&r.Source, "PR", "2", "PI")
	sw.rejects(r.SourceRejects)
	if srcOK {
		recOK := len(r.ReceiverRejects) == 0
		hlB := sw.hl.Write(sw.xw, hlA, "21", outbound.ChildCode(recOK))
		rec := r.Receiver
		if rec.EntityType == "" && rec.First != "" {
			rec.EntityType = "1"
		}
		sw.nm1(&rec, "1P", "2", "XX")
		sw.rejects(r.ReceiverRejects)
		if recOK {
			hlC := sw.hl.Write(sw.xw, hlB, "22", outbound.ChildCode(r.Dependent != nil))
			sw.subject(r.Subscriber, "IL")
			if r.Dependent != nil {
				sw.hl.Write(sw.xw, hlC, "23", "0")
				sw.subject(r.Dependent, "03")
			}
		}
	}
	xw.Write("SE", strconv.Itoa(xw.Count()+1), st02)
}

// nm1 writes an NM1 with the defaults of its level.
func (sw *setWriter) nm1(p *Party, entity, typ, idq string) {
	q := p.IDQualifier
	if q == "" && p.ID != "" {
		q = idq
	}
	sw.xw.Write("NM1", outbound.Or(p.EntityCode, entity), outbound.Or(p.EntityType, typ), sw.v(p.Last), sw.v(p.First), sw.v(p.Middle),
		"", sw.v(p.Suffix), q, sw.v(p.ID))
}

func (sw *setWriter) rejects(rr []Reject) {
	for _, r := range rr {
		sw.xw.Write("AAA", "N", "", r.Code, outbound.Or(r.Action, "C"))
	}
}

func (sw *setWriter) dates(ds []Date) {
	for _, d := range ds {
		f, p := outbound.Period(d.From, d.To)
		sw.xw.Write("DTP", d.Qualifier, f, p)
	}
}

// subject writes a subscriber or dependent level after its HL.
func (sw *setWriter) subject(s *Subject, entity string) {
	xw := sw.xw
	for _, t := range s.Traces {
		xw.Write("TRN", t.Type, sw.v(t.Number), sw.v(t.Originator), sw.v(t.Secondary))
	}
	sw.nm1(&s.Party, entity, "1", "MI")
	for _, f := range s.Refs {
		xw.Write("REF", f.Qualifier, sw.v(f.Value), sw.v(f.Description))
	}
	sw.rejects(s.Rejects)
	if s.BirthDate != "" || s.Gender != "" {
		f := ""
		if s.BirthDate != "" {
			f = "D8"
		}
		xw.Write("DMG", f, s.BirthDate, s.Gender)
	}
	sw.dates(s.Dates)
	for i := range s.Benefits {
		b := &s.Benefits[i]
		amount := ""
		if b.HasAmount {
			amount = x12.FormatCents(b.AmountCents)
		}
		xw.Write("EB", b.Code, b.CoverageLevel, strings.Join(b.ServiceTypes, string(sw.d.Repetition)),
			b.InsuranceType, sw.v(b.PlanDescription), b.TimePeriod, amount, b.Percent, b.QuantityQualifier,
			b.Quantity, b.AuthorizationRequired, b.InNetwork)
		sw.dates(b.Dates)
		sw.rejects(b.Rejects)
		for _, m := range b.Messages {
			xw.Write("MSG", sw.v(m))
		}
	}
}
