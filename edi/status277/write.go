package status277

import (
	"io"
	"strconv"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/internal/outbound"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Write writes acks as one interchange holding one functional group (GS01
// HN, GS08 005010X214) with one 277CA transaction set per Acknowledgment,
// numbered out.SetControl (default 1), out.SetControl+1, ...
//
// out addresses and numbers the interchange as for the 999 (see
// ack.OutboundEnvelope): Control (ISA13), GroupControl (GS06) and Time are
// required; SenderID and ReceiverID are required (there is no received
// ISA to answer); qualifiers default to ZZ, GS02/GS03 to the ISA IDs,
// Usage to P. SE01, GE01 and IEA01 are counted here.
//
// Every input value is checked before anything is written; the error then
// joins one *FieldError per problem, naming positions, never values.
// Delimiters are out.Delimiters (default * ^ : ~) unless an identifier
// being echoed (a control number, trace, member ID, code) contains one;
// then an unused delimiter is chosen (ack.PickDelimiters), so identifiers
// are never altered. Names are not considered: a delimiter inside a name
// is replaced by a space (ack.Scrub).
func Write(w io.Writer, acks []Acknowledgment, out ack.OutboundEnvelope) error {
	return outbound.Write(w, out, outbound.Interchange{
		Name: "277ca", FunctionalID: FunctionalID, Version: Version, Sets: len(acks),
		FieldError: func(field string, err error) error { return &FieldError{Field: field, Err: err} },
		Check: func() []error {
			if err := check(acks); err != nil {
				return []error{err}
			}
			return nil
		},
		Identifiers: func() []string { return identifiers(acks) },
		Set: func(xw *x12.Writer, env *outbound.Envelope, d x12.Delimiters, i int) {
			iw := &interchange{xw: xw, d: d, env: env}
			iw.set(&acks[i], i)
		},
	})
}

// identifiers returns the values echoed back that delimiters must avoid:
// everything but names.
func identifiers(acks []Acknowledgment) []string {
	var v []string
	st := func(ss []Status) {
		for _, s := range ss {
			v = append(v, s.Category, s.Code, s.Entity)
		}
	}
	for ai := range acks {
		a := &acks[ai]
		v = append(v, a.Source.EntityCode, a.Source.IDQualifier, a.Source.ID, a.Receiver.ETIN,
			a.SourceTrace, a.ReceiverTrace, a.ReceiptDate, a.ProcessDate)
		for pi := range a.Providers {
			p := &a.Providers[pi]
			v = append(v, p.IDQualifier, p.ID, p.Trace)
			for ci := range p.Claims {
				c := &p.Claims[ci]
				v = append(v, c.PatientControlNumber, c.PayerClaimControlNumber, c.ClearinghouseTrace,
					c.BillType, c.ServiceFrom, c.ServiceTo, c.Patient.IDQualifier, c.Patient.ID)
				st(c.Statuses)
				for li := range c.Lines {
					l := &c.Lines[li]
					v = append(v, l.ControlNumber, l.RevenueCode, l.ServiceFrom, l.ServiceTo)
					if l.Procedure != "" {
						v = append(v, procedureParts(l.Procedure)...)
					}
					st(l.Statuses)
				}
			}
		}
	}
	return v
}

// interchange writes the sets of the interchange (SE01 is counted here,
// GE01 and IEA01 by the shared outbound envelope).
type interchange struct {
	xw  *x12.Writer
	d   x12.Delimiters
	env *outbound.Envelope
}

// v scrubs a value of the delimiters.
func (iw *interchange) v(s string) string { return ack.Scrub(s, iw.d) }

// writeSTC writes the STC segments carrying statuses three at a time:
// STC01, STC02, STC03, STC04, STC05..09 empty, STC10, STC11.
func (iw *interchange) writeSTC(ss []Status, date, action, charge string) {
	for i := 0; i < len(ss); i += 3 {
		var e [11]string
		e[0], e[1], e[2], e[3] = iw.composite(ss[i]), date, action, charge
		if i+1 < len(ss) {
			e[9] = iw.composite(ss[i+1])
		}
		if i+2 < len(ss) {
			e[10] = iw.composite(ss[i+2])
		}
		iw.xw.Write("STC", e[:]...)
	}
}

func (iw *interchange) composite(s Status) string {
	return iw.xw.Composite(iw.v(s.Category), iw.v(s.Code), iw.v(s.Entity))
}

func money(c int64) string { return x12.FormatCents(c) }

// set writes one 277CA transaction set.
func (iw *interchange) set(a *Acknowledgment, i int) {
	xw, v := iw.xw, iw.v
	st02 := iw.env.SetControl(i)
	xw.ResetCount()
	xw.Write("ST", "277", st02, Version)
	xw.Write("BHT", "0085", "08", v(a.SourceTrace), iw.env.Time.Format("20060102"), iw.env.Time.Format("1504"), "TH")

	var hl outbound.Levels
	level := func(parent int, code, child string) int { return hl.Write(xw, parent, code, child) }
	src := outbound.Or(a.Source.EntityCode, SourceClearinghouse)
	receipt := xw.Composite("A1", "19", src)
	total := a.Totals()

	// 2000A information source.
	hlA := level(0, "20", "1")
	xw.Write("NM1", src, "2", v(a.Source.Name), "", "", "", "", v(outbound.Or(a.Source.IDQualifier, "46")), v(a.Source.ID))
	xw.Write("TRN", "1", v(a.SourceTrace))
	xw.Write("DTP", "050", "D8", a.ReceiptDate)
	xw.Write("DTP", "009", "D8", a.ProcessDate)

	// 2000B information receiver.
	hlB := level(hlA, "21", "1")
	xw.Write("NM1", "41", "2", v(a.Receiver.Name), "", "", "", "", "46", v(a.Receiver.ETIN))
	xw.Write("TRN", "2", v(a.ReceiverTrace))
	xw.Write("STC", receipt, a.ProcessDate, ActionAccepted, money(total.ChargeCents()))
	iw.totals(total, "90", "AA")

	for pi := range a.Providers {
		p := &a.Providers[pi]
		pt := p.Totals()
		// 2000C billing provider.
		hlC := level(hlB, "19", "1")
		xw.Write("NM1", "85", "2", v(p.Name), "", "", "", "", v(outbound.Or(p.IDQualifier, "XX")), v(p.ID))
		xw.Write("TRN", "1", v(outbound.Or(p.Trace, "0")))
		xw.Write("STC", receipt, "", ActionAccepted, money(pt.ChargeCents()))
		iw.totals(pt, "QA", "QC")
		for ci := range p.Claims {
			level(hlC, "PT", "")
			iw.claim(&p.Claims[ci], src, a.ProcessDate)
		}
	}
	xw.Write("SE", strconv.Itoa(xw.Count()+1), st02)
}

// totals writes QTY/AMT for the non-zero counts: accQual/rejQual are the
// QTY01 qualifiers (90/AA for the receiver, QA/QC for a provider).
func (iw *interchange) totals(t Totals, accQual, rejQual string) {
	if t.Accepted > 0 {
		iw.xw.Write("QTY", accQual, strconv.Itoa(t.Accepted))
	}
	if t.Rejected > 0 {
		iw.xw.Write("QTY", rejQual, strconv.Itoa(t.Rejected))
	}
	if t.Accepted > 0 {
		iw.xw.Write("AMT", "YU", money(t.AcceptedCents))
	}
	if t.Rejected > 0 {
		iw.xw.Write("AMT", "YY", money(t.RejectedCents))
	}
}

// claim writes loops 2100D..2220D of one claim, after its HL: src is the
// source entity code, date the STC02 effective date.
func (iw *interchange) claim(c *Claim, src, date string) {
	xw, v := iw.xw, iw.v
	pt := &c.Patient
	xw.Write("NM1", "QC", "1", v(pt.Last), v(pt.First), v(pt.Middle), "", "",
		v(outbound.Or(pt.IDQualifier, "MI")), v(pt.ID))
	xw.Write("TRN", "2", v(c.PatientControlNumber))
	action := ActionRejected
	statuses := c.Statuses
	if c.Accepted {
		action = ActionAccepted
		if len(statuses) == 0 {
			statuses = []Status{{Category: "A1", Code: "20"}}
			if src == SourcePayer {
				statuses[0].Category = "A2"
			}
		}
	}
	iw.writeSTC(statuses, date, action, money(c.ChargeCents))
	if c.Accepted && c.PayerClaimControlNumber != "" {
		xw.Write("REF", "1K", v(c.PayerClaimControlNumber))
	}
	if c.ClearinghouseTrace != "" {
		xw.Write("REF", "D9", v(c.ClearinghouseTrace))
	}
	if c.BillType != "" {
		xw.Write("REF", "BLT", v(c.BillType))
	}
	q, p := outbound.Period(c.ServiceFrom, c.ServiceTo)
	xw.Write("DTP", "472", q, p)

	for li := range c.Lines {
		l := &c.Lines[li]
		var svc01, svc04 string
		if l.Procedure != "" {
			parts := procedureParts(l.Procedure)
			for i := range parts {
				parts[i] = v(parts[i])
			}
			svc01, svc04 = xw.Composite(parts...), v(l.RevenueCode)
		} else {
			svc01 = xw.Composite("NU", v(l.RevenueCode))
		}
		units := ""
		if l.Units > 0 {
			units = string(x12.AppendMilli(nil, l.Units))
		}
		xw.Write("SVC", svc01, money(l.ChargeCents), "", svc04, "", "", units)
		iw.writeSTC(l.Statuses, date, ActionRejected, "")
		if l.ControlNumber != "" {
			xw.Write("REF", "FJ", v(l.ControlNumber))
		}
		if l.ServiceFrom != "" {
			q, p := outbound.Period(l.ServiceFrom, l.ServiceTo)
			xw.Write("DTP", "472", q, p)
		}
	}
}
