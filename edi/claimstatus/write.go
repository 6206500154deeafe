package claimstatus

import (
	"io"
	"strconv"
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/internal/outbound"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Write277 writes responses as one interchange holding one functional
// group (GS01 HN, GS08 005010X212) with one 277 claim status transaction
// set per Response, numbered out.SetControl (default 1), out.SetControl+1,
// ...
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
// (ack.PickDelimiters). Names do not move delimiters: a delimiter inside
// a name becomes a space (ack.Scrub).
func Write277(w io.Writer, responses []Response, out ack.OutboundEnvelope) error {
	return outbound.Write(w, out, outbound.Interchange{
		Name: "277", FunctionalID: FunctionalIDResponse, Version: Version, Sets: len(responses),
		FieldError:  func(field string, err error) error { return &FieldError{Field: field, Err: err} },
		Check:       func() []error { return check(responses) },
		Identifiers: func() []string { return identifiers(responses) },
		Set: func(xw *x12.Writer, env *outbound.Envelope, d x12.Delimiters, i int) {
			sw := setWriter{xw: xw, d: d}
			sw.set(&responses[i], env, i)
		},
	})
}

// procedureParts splits LineStatus.Procedure into SVC01 components,
// adding the HC qualifier to a bare code.
func procedureParts(p string) []string {
	parts := strings.Split(p, ":")
	if len(parts) == 1 {
		return []string{"HC", p}
	}
	return parts
}

// identifiers returns the values echoed back that delimiters must avoid:
// everything but names.
func identifiers(rs []Response) []string {
	var v []string
	party := func(p *Party) { v = append(v, p.EntityCode, p.EntityType, p.IDQualifier, p.ID) }
	statuses := func(ss []Status) {
		for _, s := range ss {
			v = append(v, s.Category, s.Code, s.Entity)
		}
	}
	level := func(l *LevelStatus) {
		if l != nil {
			v = append(v, l.Trace, l.Date)
			statuses(l.Statuses)
		}
	}
	for i := range rs {
		r := &rs[i]
		v = append(v, r.Reference)
		party(&r.Payer)
		party(&r.Receiver)
		level(r.ReceiverStatus)
		for pi := range r.Providers {
			p := &r.Providers[pi]
			party(&p.Party)
			level(p.Status)
			for ci := range p.Claims {
				c := &p.Claims[ci]
				party(&c.Subscriber)
				v = append(v, c.Trace, c.StatusDate, c.AdjudicationDate, c.CheckDate, c.CheckNumber,
					c.PayerClaimControlNumber, c.PatientControlNumber, c.BillType, c.ClearinghouseTrace,
					c.ServiceFrom, c.ServiceTo)
				statuses(c.Statuses)
				for li := range c.Lines {
					l := &c.Lines[li]
					v = append(v, l.RevenueCode, l.StatusDate, l.ControlNumber, l.ServiceFrom, l.ServiceTo)
					if l.Procedure != "" {
						v = append(v, procedureParts(l.Procedure)...)
					}
					statuses(l.Statuses)
				}
			}
		}
	}
	return v
}

// setWriter writes one 277 transaction set.
type setWriter struct {
	xw *x12.Writer
	d  x12.Delimiters
	hl outbound.Levels
}

// v scrubs a name of the delimiters.
func (sw *setWriter) v(s string) string { return ack.Scrub(s, sw.d) }

func (sw *setWriter) nm1(p *Party, entity, typ, idq string) {
	q := p.IDQualifier
	if q == "" && p.ID != "" {
		q = idq
	}
	sw.xw.Write("NM1", entity, outbound.Or(p.EntityType, typ), sw.v(p.Last), sw.v(p.First), sw.v(p.Middle), "",
		sw.v(p.Suffix), q, sw.v(p.ID))
}

func (sw *setWriter) composite(s Status) string {
	return sw.xw.Composite(s.Category, sw.v(s.Code), sw.v(s.Entity))
}

// stc writes the statuses three to an STC: STC01, STC10, STC11, with
// mid as STC02..STC09 of every segment.
func (sw *setWriter) stc(ss []Status, mid ...string) {
	for i := 0; i < len(ss); i += 3 {
		e := make([]string, 11)
		e[0] = sw.composite(ss[i])
		copy(e[1:9], mid)
		if i+1 < len(ss) {
			e[9] = sw.composite(ss[i+1])
		}
		if i+2 < len(ss) {
			e[10] = sw.composite(ss[i+2])
		}
		sw.xw.Write("STC", e...)
	}
}

func (sw *setWriter) levelStatus(traceType string, l *LevelStatus) {
	sw.xw.Write("TRN", traceType, sw.v(l.Trace))
	sw.stc(l.Statuses, l.Date)
}

func (sw *setWriter) set(r *Response, env *outbound.Envelope, i int) {
	xw := sw.xw
	st02 := env.SetControl(i)
	xw.ResetCount()
	xw.Write("ST", "277", st02, Version)
	xw.Write("BHT", "0010", "08", sw.v(r.Reference), env.Time.Format("20060102"), env.Time.Format("1504"), "DG")
	hlA := sw.hl.Write(sw.xw, 0, "20", "1")
	sw.nm1(&r.Payer, "PR", "2", "PI")
	hlB := sw.hl.Write(sw.xw, hlA, "21", outbound.ChildCode(r.ReceiverStatus == nil))
	sw.nm1(&r.Receiver, "41", "2", "46")
	if r.ReceiverStatus != nil {
		sw.levelStatus("2", r.ReceiverStatus)
	} else {
		for pi := range r.Providers {
			p := &r.Providers[pi]
			hlC := sw.hl.Write(sw.xw, hlB, "19", outbound.ChildCode(len(p.Claims) > 0))
			sw.nm1(&p.Party, "1P", "2", "XX")
			if p.Status != nil {
				sw.levelStatus("1", p.Status)
			}
			for ci := range p.Claims {
				sw.claim(hlC, &p.Claims[ci])
			}
		}
	}
	xw.Write("SE", strconv.Itoa(xw.Count()+1), st02)
}

// claim writes the subscriber level of one claim and, for a dependent,
// the dependent level, then the claim and its lines.
func (sw *setWriter) claim(parent int, c *ClaimStatus) {
	xw := sw.xw
	hlD := sw.hl.Write(sw.xw, parent, "22", outbound.ChildCode(c.Dependent != nil))
	sw.nm1(&c.Subscriber, "IL", "1", "MI")
	if c.Dependent != nil {
		sw.hl.Write(sw.xw, hlD, "23", "")
		dep := *c.Dependent
		dep.IDQualifier, dep.ID = "", ""
		sw.nm1(&dep, "QC", "1", "")
	}
	xw.Write("TRN", "2", sw.v(c.Trace))
	var charge, paid string
	if c.HasCharge {
		charge = x12.FormatCents(c.ChargeCents)
	}
	if c.HasPaid {
		paid = x12.FormatCents(c.PaidCents)
	}
	sw.stc(c.Statuses, c.StatusDate, "", charge, paid, c.AdjudicationDate, "", c.CheckDate, sw.v(c.CheckNumber))
	for _, ref := range [][2]string{{"1K", c.PayerClaimControlNumber}, {"BLT", c.BillType},
		{"EJ", c.PatientControlNumber}, {"D9", c.ClearinghouseTrace}} {
		if ref[1] != "" {
			xw.Write("REF", ref[0], sw.v(ref[1]))
		}
	}
	if c.ServiceFrom != "" {
		q, p := outbound.Period(c.ServiceFrom, c.ServiceTo)
		xw.Write("DTP", "472", q, p)
	}
	for li := range c.Lines {
		l := &c.Lines[li]
		var svc01, svc04 string
		if l.Procedure != "" {
			parts := procedureParts(l.Procedure)
			for i := range parts {
				parts[i] = sw.v(parts[i])
			}
			svc01, svc04 = xw.Composite(parts...), sw.v(l.RevenueCode)
		} else {
			svc01 = xw.Composite("NU", sw.v(l.RevenueCode))
		}
		xw.Write("SVC", svc01, x12.FormatCents(l.ChargeCents), x12.FormatCents(l.PaidCents), svc04, "", "",
			string(x12.AppendMilli(nil, l.Units)))
		sw.stc(l.Statuses, l.StatusDate)
		if l.ControlNumber != "" {
			xw.Write("REF", "FJ", sw.v(l.ControlNumber))
		}
		q, p := outbound.Period(l.ServiceFrom, l.ServiceTo)
		xw.Write("DTP", "472", q, p)
	}
}
