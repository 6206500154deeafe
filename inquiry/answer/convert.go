package answer

import (
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/claimstatus"
	"github.com/clearinghouse/clearinghouse/edi/eligibility"
	"github.com/clearinghouse/clearinghouse/inquiry"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// EligibilityInquiry is what the roster is asked for one decoded 270
// inquiry: the 2100C subscriber, the 2100D dependent, the DTP*291 of the
// patient's level (else the subscriber's) and the EQ01 service types.
func EligibilityInquiry(q *eligibility.Inquiry) inquiry.EligibilityInquiry {
	out := inquiry.EligibilityInquiry{}
	if q.Source != nil {
		out.PayerID = q.Source.ID
	}
	if s := q.Subscriber; s != nil {
		out.Subscriber = inquiry.Person{MemberID: s.ID, Last: s.Last, First: s.First, DOB: s.BirthDate, Gender: s.Gender}
	}
	patient := q.Patient()
	if d := q.Dependent; d != nil {
		out.Dependent = &inquiry.Person{Last: d.Last, First: d.First, DOB: d.BirthDate, Gender: d.Gender}
	}
	date, ok := eligibility.Date{}, false
	if patient != nil {
		date, ok = patient.PlanDate()
	}
	if !ok && q.Subscriber != nil {
		date, ok = q.Subscriber.PlanDate()
	}
	if ok {
		out.Date = date.From
		if date.To != "" {
			out.Date += "-" + date.To
		}
	}
	if patient != nil {
		out.ServiceTypes = patient.ServiceTypes()
	}
	return out
}

// Response271 is the 271 set answering q with a.
func Response271(q *eligibility.Inquiry, a *inquiry.EligibilityAnswer) eligibility.Response {
	r := eligibility.Response{}
	if q.Header != nil {
		r.Reference = q.Header.Reference
	}
	if q.Source != nil {
		r.Source = *q.Source
	}
	if q.Receiver != nil {
		r.Receiver = q.Receiver.Party
	}
	if a.Reject != nil && a.Reject.Loop == inquiry.Loop2100A {
		r.SourceRejects = []eligibility.Reject{{Code: a.Reject.Code, Action: a.Reject.Action}}
		return r
	}
	// The levels start from what the inquiry sent (eligibility's Echo:
	// NM1, REF, DMG, TRN*2), completed with what the roster has.
	sub := &eligibility.Subject{}
	if q.Subscriber != nil {
		sub = q.Subscriber.Echo()
	}
	fillSubject(sub, &a.Subscriber)
	r.Subscriber = sub
	patient := sub
	if q.Dependent != nil && a.Dependent != nil {
		dep := q.Dependent.Echo()
		fillSubject(dep, a.Dependent)
		r.Dependent = dep
		patient = dep
	}
	if a.Reject != nil {
		target := sub
		if a.Reject.Loop == inquiry.Loop2100D && r.Dependent != nil {
			target = r.Dependent
		} else if r.Dependent != nil {
			// The subscriber was not found: no dependent level under it;
			// the dependent's traces are echoed at the subscriber's.
			r.Dependent = nil
			sub.Traces = eligibility.EchoTraces(q.Traces())
		}
		target.Rejects = []eligibility.Reject{{Code: a.Reject.Code, Action: a.Reject.Action}}
		// A rejected level echoes what was sent, not enrolled dates.
		target.Dates = nil
		return r
	}
	for _, b := range a.Benefits {
		patient.Benefits = append(patient.Benefits, eligibility.Benefit{Code: b.Info, CoverageLevel: b.CoverageLevel,
			ServiceTypes: []string{b.ServiceType}, InsuranceType: b.InsuranceType, PlanDescription: b.Plan})
	}
	return r
}

// fillSubject completes an echoed level with the member as enrolled:
// the name and date of birth (the roster's spelling), the group number
// (REF*1L, unless the inquiry sent one) and the eligibility dates.
func fillSubject(s *eligibility.Subject, m *inquiry.Member) {
	if m.Last != "" {
		s.Last, s.First, s.Middle = m.Last, m.First, m.Middle
	}
	if m.DOB != "" {
		s.BirthDate = m.DOB
		if m.Gender != "" {
			s.Gender = m.Gender
		}
	}
	if s.BirthDate == "" {
		s.Gender = ""
	}
	if m.GroupNumber != "" && !hasRef(s.Refs, "1L") && len(s.Refs) < 9 {
		s.Refs = append(s.Refs, eligibility.Ref{Qualifier: "1L", Value: m.GroupNumber})
	}
	if m.EligibilityBegin != "" {
		s.Dates = append(s.Dates, eligibility.Date{Qualifier: "356", From: m.EligibilityBegin})
	}
	if m.EligibilityEnd != "" {
		s.Dates = append(s.Dates, eligibility.Date{Qualifier: "357", From: m.EligibilityEnd})
	}
}

func hasRef(rs []eligibility.Ref, qual string) bool {
	for _, r := range rs {
		if r.Qualifier == qual {
			return true
		}
	}
	return false
}

// StatusInquiry is what our claims are searched for one decoded 276
// claim inquiry of partner ("": every partner's claims, for an operator).
func StatusInquiry(partner string, q *claimstatus.Inquiry) inquiry.StatusInquiry {
	c := &q.Claim
	out := inquiry.StatusInquiry{PartnerID: partner, AllPartners: partner == "", ProviderNPI: q.ProviderID("XX"), ProviderTIN: q.ProviderID("FI"),
		Trace: c.Trace, ClaimNumber: c.PayerClaimControlNumber, CLM01: c.PatientControlNumber,
		ServiceFrom: c.ServiceFrom, ServiceTo: c.ServiceTo, Charge: c.ChargeCents, HasCharge: c.HasCharge}
	if q.Payer != nil {
		out.PayerID = q.Payer.ID
	}
	if q.Subscriber != nil {
		out.MemberID = q.Subscriber.ID
	}
	for _, l := range c.Lines {
		sl := inquiry.StatusLine{Charge: l.ChargeCents, ServiceFrom: l.ServiceFrom, ServiceTo: l.ServiceTo, Control: l.ControlNumber}
		if len(l.Procedure) > 1 {
			sl.Code = l.Procedure[1]
		} else {
			sl.Code = l.RevenueCode
		}
		out.Lines = append(out.Lines, sl)
	}
	return out
}

// Response277 is the 277 set answering q with a; today (CCYYMMDD) is the
// status date of an answer without a claim.
func Response277(q *claimstatus.Inquiry, a *inquiry.StatusAnswer, today string) claimstatus.Response {
	r := claimstatus.Response{}
	if q.Header != nil {
		r.Reference = q.Header.Reference
	}
	if q.Payer != nil {
		r.Payer = *q.Payer
	}
	if q.Receiver != nil {
		r.Receiver = *q.Receiver
	}
	prov := claimstatus.Provider{}
	if len(q.Providers) > 0 {
		prov.Party = q.Providers[0]
	}
	c := &q.Claim
	for i := range a.Claims {
		cs := &a.Claims[i]
		date := cs.Effective
		if date == "" {
			date = today
		}
		// What the inquiry sent (claimstatus' Echo: names, member ID,
		// TRN02, REF*1K/EJ/BLT/D9, dates), then the claim found.
		out := q.Echo()
		out.Trace = a.Trace
		out.StatusDate = date
		out.ChargeCents, out.HasCharge = cs.Charge, cs.Claim != nil || c.HasCharge
		out.AdjudicationDate, out.CheckDate, out.CheckNumber = cs.AdjudicatedOn, cs.PaymentDate, cs.PaymentTrace
		if cs.Claim != nil {
			out.PayerClaimControlNumber, out.PatientControlNumber = cs.ControlNumber, cs.CLM01
			out.ServiceFrom, out.ServiceTo = cs.ServiceFrom, cs.ServiceTo
		}
		if cs.Paid != nil {
			out.PaidCents, out.HasPaid = *cs.Paid, true
		}
		for _, s := range cs.Statuses {
			out.Statuses = append(out.Statuses, claimstatus.Status{Category: s.Category, Code: s.Code, Entity: s.Entity})
		}
		for j, ls := range cs.Lines {
			asked := c.Lines[j]
			l := claimstatus.LineStatus{Procedure: strings.Join(asked.Procedure, ":"), RevenueCode: asked.RevenueCode,
				ChargeCents: asked.ChargeCents, Units: asked.Units, StatusDate: date, ControlNumber: asked.ControlNumber,
				ServiceFrom: asked.ServiceFrom, ServiceTo: asked.ServiceTo}
			if cl := lineOf(cs.Claim, ls.LineNo); cl != nil {
				if l.Units <= 0 {
					l.Units = cl.Units
				}
				if l.ServiceFrom == "" {
					l.ServiceFrom, l.ServiceTo = cl.ServiceFrom, cl.ServiceTo
				}
			}
			if l.Units <= 0 {
				l.Units = 1000 // the guide requires SVC07: one unit
			}
			if l.ServiceFrom == "" {
				l.ServiceFrom, l.ServiceTo = cs.ServiceFrom, cs.ServiceTo
			}
			if ls.Paid != nil {
				l.PaidCents = *ls.Paid
			}
			for _, s := range ls.Statuses {
				l.Statuses = append(l.Statuses, claimstatus.Status{Category: s.Category, Code: s.Code, Entity: s.Entity})
			}
			out.Lines = append(out.Lines, l)
		}
		prov.Claims = append(prov.Claims, out)
	}
	r.Providers = []claimstatus.Provider{prov}
	return r
}

// lineOf returns the line of c numbered no, nil when none.
func lineOf(c *store.Claim, no int) *store.ClaimLine {
	if c == nil || no == 0 {
		return nil
	}
	for i := range c.Lines {
		if c.Lines[i].LineNo == no {
			return &c.Lines[i]
		}
	}
	return nil
}
