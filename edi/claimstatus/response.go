package claimstatus

// Status is one health care claim status composite (C043): category
// code, status code and, when the status code needs one, an entity code,
// such as {"F1", "65", ""} or {"A4", "35", ""} (claim not found).
type Status struct {
	Category string // STCxx-1, code source 507: A0..A8, D0, E0..E4, F0..F5, P0..P5, R0..R17, ...
	Code     string // STCxx-2, claim status code (code source 508)
	Entity   string // STCxx-3, entity identifier code, e.g. IL, QC, 85, PR
}

// String returns the status as "F2:88:QC" or "A4:35".
func (s Status) String() string {
	if s.Entity == "" {
		return s.Category + ":" + s.Code
	}
	return s.Category + ":" + s.Code + ":" + s.Entity
}

// LevelStatus is a TRN/STC pair of the receiver (2200B) or provider
// (2200C) level: a status about the whole request, such as E0 (response
// not possible, error on the request data) when the request cannot be
// used at all.
type LevelStatus struct {
	// Trace is TRN02: the receiver level echoes the 276's BHT03 (TRN*2),
	// the provider level carries a provider trace (TRN*1).
	Trace string
	// Statuses go in STC01, STC10 and STC11 (at most three).
	Statuses []Status
	// Date is STC02, CCYYMMDD.
	Date string
}

// LineStatus is the status of one service line (2220D/2220E).
type LineStatus struct {
	// Procedure is SVC01 as "qualifier:code[:modifier...]" with ':' as the
	// separator whatever the output delimiters are ("HC:J1100"); a value
	// without ':' is a HCPCS code (HC is added). Empty for a line with a
	// revenue code only (written NU:<RevenueCode>).
	Procedure string
	// RevenueCode is SVC04 (or SVC01-2 without a procedure).
	RevenueCode string
	// ChargeCents is SVC02 and PaidCents SVC03 (the line payment, 0 when
	// nothing was paid).
	ChargeCents, PaidCents int64
	// Units is SVC07, the units of service in thousandths (1500 = 1.5);
	// the guide requires it: at least 1 thousandth.
	Units int64
	// Statuses go in STC01, STC10 and STC11 of the line STC; a fourth
	// starts another STC.
	Statuses []Status
	// StatusDate is STC02, CCYYMMDD.
	StatusDate string
	// ControlNumber is REF*FJ, echoed from the inquiry.
	ControlNumber string
	// ServiceFrom and ServiceTo are DTP*472 (required by the guide).
	ServiceFrom, ServiceTo string
}

// ClaimStatus is the status of one claim (2000D/2000E and 2200D/2200E).
type ClaimStatus struct {
	// Subscriber is the 2100D NM1 (IL): EntityType defaults to 1,
	// IDQualifier to MI. Last and ID are required.
	Subscriber Party
	// Dependent is the 2100E NM1 (QC, name only) when the patient is a
	// dependent: the claim is then written under a 2000E level.
	Dependent *Party
	// Trace is TRN02 (TRN*2): the inquiry's TRN02 echoed.
	Trace string
	// Statuses go in STC01, STC10 and STC11; a fourth starts another STC
	// segment (repeating STC02..STC09).
	Statuses []Status
	// StatusDate is STC02 (required), CCYYMMDD.
	StatusDate string
	// ChargeCents is STC04, the total claim charge, written when
	// HasCharge is set.
	ChargeCents int64
	HasCharge   bool
	// PaidCents is STC05, the claim payment amount, written when HasPaid
	// is set.
	PaidCents int64
	HasPaid   bool
	// AdjudicationDate is STC06, CheckDate STC08 (check or EFT date) and
	// CheckNumber STC09 (the check or EFT trace number, TRN02 of the 835).
	AdjudicationDate, CheckDate, CheckNumber string
	// PayerClaimControlNumber is REF*1K, PatientControlNumber REF*EJ
	// (CLM01), BillType REF*BLT, ClearinghouseTrace REF*D9.
	PayerClaimControlNumber, PatientControlNumber, BillType, ClearinghouseTrace string
	// ServiceFrom and ServiceTo are DTP*472; both empty leave it out.
	ServiceFrom, ServiceTo string
	// Lines are the service line statuses (2220D/2220E).
	Lines []LineStatus
}

// Provider is a service provider (2000C) and its claims.
type Provider struct {
	// Party is the 2100C NM1 (1P): EntityType defaults to 2, IDQualifier
	// to XX (an NPI, check digit verified); FI and SV are allowed.
	Party
	// Status is the optional 2200C TRN*1/STC, a status of the provider
	// level (e.g. E0:24:1P provider not recognised); a provider with a
	// status needs no claims.
	Status *LevelStatus
	Claims []ClaimStatus
}

// Response is one 277 (X212) transaction set answering one 276.
type Response struct {
	// Reference is BHT03.
	Reference string
	// Payer is the 2100A NM1 (PR): EntityType 2, IDQualifier PI (default)
	// or XV. Name and ID are required.
	Payer Party
	// Receiver is the 2100B NM1 (41): IDQualifier 46. ID is required.
	Receiver Party
	// ReceiverStatus is the 2200B TRN*2/STC, for a request the payer
	// cannot use at all (the guide has no status at the source level):
	// nothing below the receiver is then written.
	ReceiverStatus *LevelStatus
	// Providers are the 2000C levels, at least one unless ReceiverStatus
	// is set.
	Providers []Provider
}

// Echo returns the ClaimStatus answering q with what the 277 sends back
// of the inquiry: the subscriber's and dependent's names and the member
// ID, the TRN02 trace, REF*1K/EJ/BLT/D9 and the service dates. Statuses,
// the status date, amounts and lines are the caller's to add (the
// payer's claim control number may be replaced by the one found).
func (q *Inquiry) Echo() ClaimStatus {
	c := ClaimStatus{
		Subscriber: q.Subscriber.Party, Trace: q.Claim.Trace,
		PayerClaimControlNumber: q.Claim.PayerClaimControlNumber, PatientControlNumber: q.Claim.PatientControlNumber,
		BillType: q.Claim.BillType, ClearinghouseTrace: q.Claim.ClearinghouseTrace,
		ServiceFrom: q.Claim.ServiceFrom, ServiceTo: q.Claim.ServiceTo,
	}
	if q.Dependent != nil {
		d := q.Dependent.Party
		d.IDQualifier, d.ID = "", ""
		c.Dependent = &d
	}
	return c
}
