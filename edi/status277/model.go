package status277

import "strings"

// Version is the implementation convention of the 277CA (GS08 and ST03).
const Version = "005010X214"

// FunctionalID is the functional identifier of a 277CA group (GS01).
const FunctionalID = "HN"

// Entity codes of the information source (2100A NM101).
const (
	SourceClearinghouse = "AY" // the default
	SourcePayer         = "PR"
)

// Action codes (STC03).
const (
	ActionAccepted = "WQ"
	ActionRejected = "U"
)

// Status is one health care claim status composite (C043): category code,
// status code and, when the status code needs one, an entity code, such as
// {"A2", "20", ""} (accepted for processing) or {"A7", "164", "IL"}
// (subscriber's member ID invalid).
type Status struct {
	Category string // STCxx-1, e.g. A1, A2, A3, A6, A7
	Code     string // STCxx-2, claim status code (code list 508)
	Entity   string // STCxx-3, entity identifier code, e.g. IL, QC, 85, PR
}

// String returns the status as the reference writes it: "A7:164:IL",
// "A3:54".
func (s Status) String() string {
	if s.Entity == "" {
		return s.Category + ":" + s.Code
	}
	return s.Category + ":" + s.Code + ":" + s.Entity
}

// Line is a rejected service line of a claim (loop 2220D). Only rejected
// lines are reported; their STC03 is always U.
type Line struct {
	// ControlNumber is REF*FJ, the line item control number the submitter
	// sent in the 837 2400 REF*6R.
	ControlNumber string
	// Procedure is SVC01 as "qualifier:code[:modifier...]" with ':' as the
	// separator whatever the output delimiters are, e.g. "HC:A0428" or
	// "HC:J1100:JW". A value without ':' is a HCPCS code ("HC" is added).
	// Empty for an institutional line with a revenue code only.
	Procedure string
	// RevenueCode is the NUBC revenue code of an 837I line: SVC04 when
	// Procedure is set, otherwise SVC01 as "NU:<code>".
	RevenueCode string
	// ChargeCents is the line charge (SVC02).
	ChargeCents int64
	// Units is the original units of service (SVC07) in thousandths
	// (1500 = 1.5); 0 leaves SVC07 out.
	Units int64
	// ServiceFrom and ServiceTo are the line service dates, CCYYMMDD
	// (DTP*472, D8 or RD8); both empty leaves the DTP out.
	ServiceFrom, ServiceTo string
	// Statuses say why the line was rejected: one to three (STC01, STC10,
	// STC11 of the one line STC).
	Statuses []Status
}

// Patient is the patient of a claim (loop 2100D NM1*QC).
type Patient struct {
	Last, First, Middle string // NM103..NM105
	IDQualifier         string // NM108: MI (default) or II
	ID                  string // NM109: the member ID as submitted
}

// Claim is one claim of the acknowledged 837 (loops 2000D/2200D).
type Claim struct {
	// PatientControlNumber is CLM01, echoed in TRN02.
	PatientControlNumber string
	// Accepted says whether the claim was accepted (STC03 WQ) or rejected
	// (STC03 U).
	Accepted bool
	// Statuses are the claim's status composites: the first goes in
	// STC01, the second and third in STC10 and STC11; a fourth starts a
	// second STC segment, and so on (three per STC). The first status of
	// an accepted claim has category A0, A1, A2 or A5; that of a rejected
	// claim A3, A4, A6, A7 or A8. An accepted claim without statuses gets
	// A1:20 from a clearinghouse source and A2:20 from a payer source; a
	// rejected claim must say why.
	Statuses []Status
	// ChargeCents is the claim's total charge (CLM02), STC04.
	ChargeCents int64
	// PayerClaimControlNumber is REF*1K: the claim control number we
	// assigned. Written for accepted claims only.
	PayerClaimControlNumber string
	// ClearinghouseTrace is REF*D9, echoed from the 837 2300 REF*D9.
	ClearinghouseTrace string
	// BillType is REF*BLT, the institutional type of bill (837I CLM05-1
	// and CLM05-3, e.g. "131").
	BillType string
	// ServiceFrom and ServiceTo are the claim service dates, CCYYMMDD
	// (DTP*472): the first and last line dates of an 837P claim, the
	// statement period (DTP*434) of an 837I claim. ServiceFrom is
	// required; ServiceTo empty or equal gives D8, otherwise RD8.
	ServiceFrom, ServiceTo string
	// Patient is the patient (2100D).
	Patient Patient
	// Lines are the rejected service lines (2220D), if any.
	Lines []Line
}

// Provider is a billing provider and its claims (loops 2000C..2200C).
type Provider struct {
	// Name is the billing provider's organization name (NM103, NM102 2).
	Name string
	// IDQualifier is NM108: XX NPI (default), FI tax ID or SV service
	// provider number.
	IDQualifier string
	// ID is NM109.
	ID string
	// Trace is TRN02 of 2200C, the provider of service trace; default
	// "0", the value sent when the submitter gave none.
	Trace string
	// Claims are the provider's claims, at least one.
	Claims []Claim
}

// Source is the information source: us (loop 2100A).
type Source struct {
	// EntityCode is NM101: AY clearinghouse (default) or PR payer. It is
	// also the entity of the A1:19 receipt statuses of 2200B and 2200C.
	EntityCode string
	// Name is NM103.
	Name string
	// IDQualifier is NM108: 46 ETIN (default), FI, PI or XV.
	IDQualifier string
	// ID is NM109.
	ID string
}

// Receiver is the information receiver: the submitter of the 837 (loop
// 2100B, from the 837 loop 1000A).
type Receiver struct {
	Name string // NM103 (NM102 2)
	ETIN string // NM109 (NM108 46), the submitter's 1000A NM109
}

// Acknowledgment is one 277CA transaction set: the acknowledgment of one
// received 837 transaction set.
type Acknowledgment struct {
	Source   Source
	Receiver Receiver
	// SourceTrace is our batch trace: TRN02 of 2200A and BHT03.
	SourceTrace string
	// ReceiverTrace is TRN02 of 2200B: the BHT03 of the 837 acknowledged.
	ReceiverTrace string
	// ReceiptDate (DTP*050) is when the 837 was received and ProcessDate
	// (DTP*009, and STC02 of 2200B/2200D/2220D) when it was edited, both
	// CCYYMMDD.
	ReceiptDate, ProcessDate string
	// Providers are the billing providers, at least one.
	Providers []Provider
}

// Totals are the claim counts and charges of a provider or of a whole
// acknowledgment: QTY*90/QTY*QA and AMT*YU for accepted claims, QTY*AA/
// QTY*QC and AMT*YY for rejected ones.
type Totals struct {
	Accepted, Rejected           int
	AcceptedCents, RejectedCents int64
}

// ChargeCents returns the total submitted charges (STC04 of 2200B/2200C).
func (t Totals) ChargeCents() int64 { return t.AcceptedCents + t.RejectedCents }

func (t *Totals) add(o Totals) {
	t.Accepted += o.Accepted
	t.Rejected += o.Rejected
	t.AcceptedCents += o.AcceptedCents
	t.RejectedCents += o.RejectedCents
}

// Totals returns the counts and charges of the provider's claims.
func (p *Provider) Totals() Totals {
	var t Totals
	for i := range p.Claims {
		c := &p.Claims[i]
		if c.Accepted {
			t.Accepted++
			t.AcceptedCents += c.ChargeCents
		} else {
			t.Rejected++
			t.RejectedCents += c.ChargeCents
		}
	}
	return t
}

// Totals returns the counts and charges of all claims of the
// acknowledgment.
func (a *Acknowledgment) Totals() Totals {
	var t Totals
	for i := range a.Providers {
		t.add(a.Providers[i].Totals())
	}
	return t
}

// procedureParts splits Line.Procedure into SVC01 components, adding the
// HC qualifier to a bare code.
func procedureParts(p string) []string {
	parts := strings.Split(p, ":")
	if len(parts) == 1 {
		return []string{"HC", p}
	}
	return parts
}
