package x12price

import (
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/repricing"
)

// FromClaim returns the engine's input for a decoded claim: its type,
// billing provider NPI and TIN, payer ID, place of service (837P) or type
// of bill (837I), dates (see the package documentation), DRG (HI DR),
// billed amount and lines. cc may come from the streaming Decoder or from
// Transaction.Claims. The result shares the lines' modifier slices with
// the claim; neither FromClaim nor the engine modifies them.
func FromClaim(cc *claim.ClaimContext) repricing.Claim {
	var out repricing.Claim
	FromClaimInto(cc, &out)
	return out
}

// FromClaimInto is FromClaim writing into out, reusing the storage of
// out.Lines (with enough capacity it does not allocate). out is
// overwritten.
func FromClaimInto(cc *claim.ClaimContext, out *repricing.Claim) {
	c := cc.Claim
	lines := out.Lines
	*out = repricing.Claim{
		ID:          c.PatientControlNumber,
		PayerID:     c.PayerID(),
		BilledCents: c.TotalCharge,
	}
	if out.PayerID == "" {
		switch {
		case cc.Payer != nil:
			out.PayerID = cc.Payer.ID
		case cc.Subscriber != nil:
			out.PayerID = cc.Subscriber.Payer.ID
		}
	}
	bp := cc.BillingProvider
	if bp == nil {
		bp = c.BillingProvider()
	}
	if bp != nil {
		out.BillingNPI, out.BillingTIN = bp.NPI, bp.TIN
	}
	switch c.Kind {
	case claim.Institutional:
		out.Type = repricing.Institutional
		out.TypeOfBill = c.TypeOfBill()
		out.StatementFrom, out.StatementTo = d8(c.StatementFrom), d8(c.StatementTo)
		if d, ok := c.Date("435"); ok {
			out.Admission = d8(d.From())
		}
		if out.Admission != 0 {
			// DTP*096 on an 837I is the discharge hour; the last day of an
			// inpatient stay is the statement through date.
			out.Discharge = out.StatementTo
		}
		for _, h := range c.Codes {
			if h.Qualifier == "DR" {
				out.DRG = h.Code
				break
			}
		}
	case claim.Professional:
		out.Type = repricing.Professional
		out.POS = c.FacilityCode
		out.StatementFrom, out.StatementTo = serviceRange(c)
	}
	if lines != nil && cap(lines) >= len(c.Lines) {
		out.Lines = lines[:len(c.Lines)]
	} else {
		out.Lines = make([]repricing.Line, len(c.Lines))
	}
	for i, l := range c.Lines {
		rl := repricing.Line{
			No:            lineNo(l, i),
			ProcedureCode: l.ProcedureCode,
			Modifiers:     l.Modifiers,
			RevenueCode:   l.RevenueCode,
			Units:         l.Units,
			UnitBasis:     l.UnitBasis,
			ChargeCents:   l.Charge,
			ServiceDate:   d8(l.ServiceFrom),
		}
		if c.Kind == claim.Professional {
			rl.POS = l.PlaceOfService
			if rl.POS == "" {
				rl.POS = c.FacilityCode
			}
		}
		out.Lines[i] = rl
	}
}

// serviceRange returns the earliest and latest valid line service dates
// of an 837P claim, falling back to its statement dates.
func serviceRange(c *claim.Claim) (from, to repricing.Date) {
	for _, l := range c.Lines {
		f := d8(l.ServiceFrom)
		t := d8(l.ServiceTo)
		if t == 0 {
			t = f
		}
		if f != 0 && (from == 0 || f < from) {
			from = f
		}
		if t != 0 && t > to {
			to = t
		}
	}
	if from == 0 {
		from = d8(c.StatementFrom)
	}
	if to == 0 {
		to = d8(c.StatementTo)
	}
	return from, to
}

// lineNo is the line's LX01, or its 1-based position when LX01 is missing
// or did not parse.
func lineNo(l *claim.Line, i int) int {
	if l.Number > 0 {
		return l.Number
	}
	return i + 1
}

// d8 parses a CCYYMMDD date, 0 when s is empty or not a valid date.
func d8(s string) repricing.Date {
	d, err := repricing.ParseD8(s)
	if err != nil {
		return 0
	}
	return d
}
