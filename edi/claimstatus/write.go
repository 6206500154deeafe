package claimstatus

import (
	"errors"
	"fmt"
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
	var errs []error
	env, err := outbound.Resolve(out, len(responses), func(field string, err error) {
		errs = append(errs, &FieldError{Field: field, Err: err})
	})
	if err != nil {
		return fmt.Errorf("write 277: %w", err)
	}
	errs = append(errs, check(responses)...)
	if len(errs) > 0 {
		return fmt.Errorf("write 277: %w", errors.Join(errs...))
	}
	d, ok := ack.PickDelimiters(out.Delimiters, append(env.Values(), identifiers(responses)...)...)
	if !ok {
		if d, ok = ack.PickDelimiters(out.Delimiters, env.Values()...); !ok {
			return fmt.Errorf("write 277: no usable delimiters for the interchange parties")
		}
	}
	xw := x12.NewWriter(w, d)
	xw.Suffix = out.Suffix
	env.Begin(xw, FunctionalIDResponse, Version)
	for i := range responses {
		sw := setWriter{xw: xw, d: d}
		sw.set(&responses[i], env, i)
	}
	env.End(xw, len(responses))
	if err := xw.Flush(); err != nil {
		return fmt.Errorf("write 277: %w", err)
	}
	return nil
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
	hl int
}

// v scrubs a name of the delimiters.
func (sw *setWriter) v(s string) string { return ack.Scrub(s, sw.d) }

func (sw *setWriter) level(parent int, code, child string) int {
	sw.hl++
	p := ""
	if parent > 0 {
		p = strconv.Itoa(parent)
	}
	sw.xw.Write("HL", strconv.Itoa(sw.hl), p, code, child)
	return sw.hl
}

func childCode(more bool) string {
	if more {
		return "1"
	}
	return "0"
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (sw *setWriter) nm1(p *Party, entity, typ, idq string) {
	q := p.IDQualifier
	if q == "" && p.ID != "" {
		q = idq
	}
	sw.xw.Write("NM1", entity, or(p.EntityType, typ), sw.v(p.Last), sw.v(p.First), sw.v(p.Middle), "",
		sw.v(p.Suffix), q, p.ID)
}

func (sw *setWriter) composite(s Status) string {
	return sw.xw.Composite(s.Category, s.Code, s.Entity)
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
	sw.xw.Write("TRN", traceType, l.Trace)
	sw.stc(l.Statuses, l.Date)
}

func (sw *setWriter) set(r *Response, env *outbound.Envelope, i int) {
	xw := sw.xw
	st02 := env.SetControl(i)
	xw.ResetCount()
	xw.Write("ST", "277", st02, Version)
	xw.Write("BHT", "0010", "08", r.Reference, env.Time.Format("20060102"), env.Time.Format("1504"), "DG")
	hlA := sw.level(0, "20", "1")
	sw.nm1(&r.Payer, "PR", "2", "PI")
	hlB := sw.level(hlA, "21", childCode(r.ReceiverStatus == nil))
	sw.nm1(&r.Receiver, "41", "2", "46")
	if r.ReceiverStatus != nil {
		sw.levelStatus("2", r.ReceiverStatus)
	} else {
		for pi := range r.Providers {
			p := &r.Providers[pi]
			hlC := sw.level(hlB, "19", childCode(len(p.Claims) > 0))
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
	hlD := sw.level(parent, "22", childCode(c.Dependent != nil))
	sw.nm1(&c.Subscriber, "IL", "1", "MI")
	if c.Dependent != nil {
		sw.level(hlD, "23", "")
		dep := *c.Dependent
		dep.IDQualifier, dep.ID = "", ""
		sw.nm1(&dep, "QC", "1", "")
	}
	xw.Write("TRN", "2", c.Trace)
	var charge, paid string
	if c.HasCharge {
		charge = x12.FormatCents(c.ChargeCents)
	}
	if c.HasPaid {
		paid = x12.FormatCents(c.PaidCents)
	}
	sw.stc(c.Statuses, c.StatusDate, "", charge, paid, c.AdjudicationDate, "", c.CheckDate, c.CheckNumber)
	for _, ref := range [][2]string{{"1K", c.PayerClaimControlNumber}, {"BLT", c.BillType},
		{"EJ", c.PatientControlNumber}, {"D9", c.ClearinghouseTrace}} {
		if ref[1] != "" {
			xw.Write("REF", ref[0], ref[1])
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
			svc01, svc04 = xw.Composite(procedureParts(l.Procedure)...), l.RevenueCode
		} else {
			svc01 = xw.Composite("NU", l.RevenueCode)
		}
		xw.Write("SVC", svc01, x12.FormatCents(l.ChargeCents), x12.FormatCents(l.PaidCents), svc04, "", "",
			string(x12.AppendMilli(nil, l.Units)))
		sw.stc(l.Statuses, l.StatusDate)
		if l.ControlNumber != "" {
			xw.Write("REF", "FJ", l.ControlNumber)
		}
		q, p := outbound.Period(l.ServiceFrom, l.ServiceTo)
		xw.Write("DTP", "472", q, p)
	}
}
