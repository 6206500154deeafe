package repricing

// Pricing holds the HCP elements shared by the claim (2300) and line (2400)
// levels. Amounts are cents.
type Pricing struct {
	// MethodCode is HCP01, the pricing methodology ("00".."14").
	MethodCode string
	// AllowedCents is HCP02, the repriced allowed amount.
	AllowedCents int64
	// SavingsCents is HCP03 = charge − allowed (line) or billed − allowed
	// (claim). It is never negative for line-level methods; a claim-level
	// amount (per diem, DRG, case rate) without CapAtBilled may exceed the
	// billed amount, and then it is negative.
	SavingsCents int64
	// RateCents is HCP05 when HasRate: the per diem daily rate, the DRG
	// base rate or the case rate (claim level only; never set on lines).
	RateCents int64
	HasRate   bool
	// DenyReason is HCP13 ("T1".."T6") when the contract's unpriced rule
	// denied (MethodCode "00"); "" otherwise.
	DenyReason string
}

// LinePricing is the repricing of one service line.
type LinePricing struct {
	// No is the line's Line.No.
	No int
	Pricing
	// Priced reports whether the contract's method priced the line. False
	// means the unpriced rule decided it: a denial (MethodCode "00") or
	// percent of charges (MethodCode "03").
	Priced bool
	// Bundled reports a line of a claim priced at claim level (per diem,
	// DRG, case rate): MethodCode "04", allowed 0. Writing line HCP for
	// bundled lines is optional.
	Bundled bool
	// ScheduleCents is the contract amount before the lesser-of-charge cap
	// (fee × units, or the RBRVS amount); for percent of charges, the
	// percent amount. 0 when not Priced or Bundled.
	ScheduleCents int64
	// UnitBasis and ApprovedUnits are HCP11 and HCP12 (thousandths) when
	// the units priced differ from the units billed (a line sent without
	// units is priced as one unit); UnitBasis is "" otherwise.
	UnitBasis     string
	ApprovedUnits int64
}

// ClaimPricing is the repricing of the whole claim (2300 HCP).
type ClaimPricing struct {
	Pricing
	// DRG and DRGAmountCents are HCP06 and HCP07 for DRG-priced claims
	// (the claim's DRG and weight × base rate before any cap); DRG is ""
	// otherwise. HCP06/HCP07 are meant for values that differ from what
	// was submitted; the caller may omit them when the DRG is unchanged.
	DRG            string
	DRGAmountCents int64
	// UnitBasis and ApprovedUnits are HCP11 and HCP12 (thousandths); for
	// per diem: "DA" and the covered days × 1000. UnitBasis is ""
	// otherwise.
	UnitBasis     string
	ApprovedUnits int64
}

// Result is the repricing of one claim.
type Result struct {
	// ContractID is the ID of the contract that priced the claim.
	ContractID string
	// Method is the contract's method.
	Method Method
	// Claim is the claim-level pricing: for line-level methods the sum of
	// the (rounded) lines, with HCP01 "08" when the lines used different
	// codes; for claim-level methods the claim amount.
	Claim ClaimPricing
	// Lines are the line results in the claim's line order.
	Lines []LinePricing
}

// reset prepares r for a claim with n lines, reusing r.Lines' storage.
func (r *Result) reset(n int) {
	if cap(r.Lines) >= n {
		r.Lines = r.Lines[:n]
		clear(r.Lines)
	} else {
		r.Lines = make([]LinePricing, n)
	}
	r.Claim = ClaimPricing{}
}
