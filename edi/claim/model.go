package claim

// Kinds of 837 transaction sets.
const (
	// Professional is the 837P (005010X222A1).
	Professional = "837P"
	// Institutional is the 837I (005010X223A2).
	Institutional = "837I"
)

// KindOf returns the 837 kind named by an implementation guide identifier
// (GS08/ST03): Professional for "005010X222…", Institutional for
// "005010X223…", and "" for anything else.
func KindOf(version string) string {
	switch {
	case len(version) >= 10 && version[6:10] == "X222":
		return Professional
	case len(version) >= 10 && version[6:10] == "X223":
		return Institutional
	}
	return ""
}

// Transaction is one 837 transaction set (ST..SE) with its header, the
// submitter and receiver, and the billing-provider hierarchy.
//
// A Transaction built by TransactionDecoder (or DecodeTransaction) keeps
// every segment it was decoded from, so Encode reproduces the input byte
// for byte; the typed fields are views of those segments. Use the edit
// methods (Claim.SetPricing, Line.SetRef, ...) to change the segments:
// assigning to a typed field changes the view only, not what Encode
// writes. The streaming Decoder builds Transactions that hold only the
// header (BillingProviders stays empty) and cannot be encoded.
//
// A Transaction is not safe for concurrent use while it is being edited.
type Transaction struct {
	// Kind is Professional or Institutional.
	Kind string `json:"kind"`
	// ControlNumber is ST02.
	ControlNumber string `json:"control_number"`
	// Version is ST03, the implementation guide ("005010X222A1").
	Version string `json:"version,omitempty"`
	// Purpose is BHT02: "00" original, "18" reissue.
	Purpose string `json:"purpose,omitempty"`
	// Reference is BHT03, the originator's batch identifier.
	Reference string `json:"reference,omitempty"`
	// Date is BHT04 (CCYYMMDD) and Time BHT05 (HHMM[SS[DD]]).
	Date string `json:"date,omitempty"`
	Time string `json:"time,omitempty"`
	// Type is BHT06: "CH" chargeable, "RP" reporting (encounter).
	Type string `json:"type,omitempty"`
	// Submitter is loop 1000A and Receiver loop 1000B.
	Submitter Party `json:"submitter"`
	Receiver  Party `json:"receiver"`
	// BillingProviders are the 2000A loops in input order.
	BillingProviders []*BillingProvider `json:"billing_providers,omitempty"`
	// Problems lists values outside any claim that could not be decoded.
	Problems []string `json:"problems,omitempty"`

	root     *node // ST..SE in loop order (transaction mode only)
	modified bool  // an edit was made: Encode recomputes SE01
	factory  *segmentFactory
	scratch  []byte    // bytes of an edited segment in the making (newSegment copies them)
	pricings []Pricing // the block ownPricing takes from
	refs     listBlock[Ref]
	dates    listBlock[Date]
	// Blocks of the lists transaction-mode decoding grows (see
	// appendRoom).
	codes listBlock[HealthCode]
	subs  listBlock[*Subscriber]
}

// Entity is an NM1 name: a person or an organization with its identifier.
type Entity struct {
	// Code is NM101, the entity identifier code ("85", "IL", "PR", "82").
	Code string `json:"entity_code"`
	// Type is NM102: "1" person, "2" non-person entity.
	Type string `json:"entity_type,omitempty"`
	// Name is NM103: the organization name or the person's last name.
	Name string `json:"name,omitempty"`
	// First, Middle and Suffix are NM104, NM105 and NM107.
	First  string `json:"first_name,omitempty"`
	Middle string `json:"middle_name,omitempty"`
	Suffix string `json:"suffix,omitempty"`
	// IDQualifier is NM108 ("XX" NPI, "MI" member ID, "PI" payer ID, "46"
	// ETIN) and ID is NM109.
	IDQualifier string `json:"id_qualifier,omitempty"`
	ID          string `json:"id,omitempty"`
}

// Address is an N3/N4 pair.
type Address struct {
	Line1   string `json:"line1,omitempty"`   // N301
	Line2   string `json:"line2,omitempty"`   // N302
	City    string `json:"city,omitempty"`    // N401
	State   string `json:"state,omitempty"`   // N402
	Zip     string `json:"zip,omitempty"`     // N403
	Country string `json:"country,omitempty"` // N404
	// CountrySubdivision is N407 (only with a non-US country).
	CountrySubdivision string `json:"country_subdivision,omitempty"`
}

// Contact is a PER segment: a contact name and up to three numbers.
type Contact struct {
	// Function is PER01 ("IC" information contact).
	Function string `json:"function,omitempty"`
	// Name is PER02.
	Name string `json:"name,omitempty"`
	// Numbers are the PER03/04, PER05/06 and PER07/08 pairs that are present.
	Numbers []Number `json:"numbers,omitempty"`
}

// Number is a communication number with its qualifier ("TE" telephone,
// "EM" e-mail, "FX" fax, "EX" extension).
type Number struct {
	Qualifier string `json:"qualifier"`
	Value     string `json:"value"`
}

// Ref is a REF segment.
type Ref struct {
	// Qualifier is REF01 ("F8", "9A", "D9", "6R", "EI", ...).
	Qualifier string `json:"qualifier"`
	// Value is REF02.
	Value string `json:"value"`
}

// Date is a DTP segment. Value keeps DTP03 as sent; From and To split a
// range.
type Date struct {
	// Qualifier is DTP01 ("472" service, "434" statement, "050" repricer
	// received, ...).
	Qualifier string `json:"qualifier"`
	// Format is DTP02: "D8" (CCYYMMDD), "RD8" (CCYYMMDD-CCYYMMDD), "DT"
	// (CCYYMMDDHHMM) or "TM" (HHMM).
	Format string `json:"format"`
	// Value is DTP03.
	Value string `json:"value"`
}

// Amount is an AMT segment in cents.
type Amount struct {
	Qualifier string `json:"qualifier"`    // AMT01
	Cents     int64  `json:"amount_cents"` // AMT02
}

// Note is an NTE segment.
type Note struct {
	Code string `json:"code,omitempty"` // NTE01 ("ADD", "TPO", ...)
	Text string `json:"text,omitempty"` // NTE02
}

// Party is the submitter (1000A) or receiver (1000B).
type Party struct {
	Entity
	// Contacts are the PER segments (1000A only).
	Contacts []Contact `json:"contacts,omitempty"`
}

// BillingProvider is loop 2000A with its 2010AA billing provider name and
// the optional 2010AB pay-to address and 2010AC pay-to plan.
type BillingProvider struct {
	// HLID is HL01.
	HLID string `json:"hl_id"`
	// Taxonomy is PRV03 of the 2000A PRV*BI segment.
	Taxonomy string `json:"taxonomy,omitempty"`
	// Currency is CUR02.
	Currency string `json:"currency,omitempty"`
	// Entity is the 2010AA NM1*85.
	Entity
	// NPI is NM109 when NM108 is "XX".
	NPI string `json:"npi,omitempty"`
	// TIN is REF*EI (employer identification number) and SSN is REF*SY.
	TIN string `json:"tin,omitempty"`
	SSN string `json:"ssn,omitempty"`
	// Address is the 2010AA N3/N4.
	Address *Address `json:"address,omitempty"`
	// Refs are the other 2010AA REF segments (0B, 1G, ...).
	Refs []Ref `json:"refs,omitempty"`
	// Contacts are the 2010AA PER segments.
	Contacts []Contact `json:"contacts,omitempty"`
	// PayTo is loop 2010AB (pay-to address), nil when absent.
	PayTo *PayTo `json:"pay_to,omitempty"`
	// PayToPlan is loop 2010AC (pay-to plan), nil when absent.
	PayToPlan *PayTo `json:"pay_to_plan,omitempty"`
	// Subscribers are the 2000B loops (transaction mode only).
	Subscribers []*Subscriber `json:"subscribers,omitempty"`

	node *node
}

// PayTo is loop 2010AB (pay-to address) or 2010AC (pay-to plan).
type PayTo struct {
	Entity
	Address *Address `json:"address,omitempty"`
	Refs    []Ref    `json:"refs,omitempty"`
}

// Person is a subscriber (2010BA), patient (2010CA) or other subscriber
// (2330A) with the demographics the loop carries.
type Person struct {
	Entity
	Address *Address `json:"address,omitempty"`
	// BirthDate is DMG02 (CCYYMMDD) and Gender DMG03 ("F", "M", "U").
	BirthDate string    `json:"birth_date,omitempty"`
	Gender    string    `json:"gender,omitempty"`
	Refs      []Ref     `json:"refs,omitempty"`
	Contacts  []Contact `json:"contacts,omitempty"`
}

// Payer is the destination payer (2010BB) or another payer (2330B).
type Payer struct {
	// Entity.ID is NM109, the payer ID (the routing key), with outer
	// spaces trimmed.
	Entity
	Address *Address `json:"address,omitempty"`
	// Refs are the payer's REF segments (2U, EI, FY, NF; G2/LU are the
	// billing provider's secondary IDs for this payer).
	Refs []Ref `json:"refs,omitempty"`
}

// Subscriber is loop 2000B with its SBR, the subscriber (2010BA) and the
// payer (2010BB).
type Subscriber struct {
	// HLID is HL01.
	HLID string `json:"hl_id"`
	// PayerResponsibility is SBR01 ("P", "S", "T", ...).
	PayerResponsibility string `json:"payer_responsibility,omitempty"`
	// Relationship is SBR02: "18" when the subscriber is the patient.
	Relationship string `json:"relationship,omitempty"`
	// GroupNumber is SBR03 and GroupName SBR04.
	GroupNumber string `json:"group_number,omitempty"`
	GroupName   string `json:"group_name,omitempty"`
	// InsuranceType is SBR05.
	InsuranceType string `json:"insurance_type,omitempty"`
	// ClaimFilingIndicator is SBR09 ("CI", "MB", "MC", "12", ...).
	ClaimFilingIndicator string `json:"claim_filing_indicator,omitempty"`
	// Member is loop 2010BA (NM1*IL); Member.ID is the member ID, kept
	// byte for byte.
	Member Person `json:"member"`
	// Payer is loop 2010BB (NM1*PR).
	Payer Payer `json:"payer"`
	// Claims are the 2300 loops directly under the subscriber (the
	// patient is the subscriber). Transaction mode only.
	Claims []*Claim `json:"claims,omitempty"`
	// Patients are the 2000C loops (transaction mode only).
	Patients []*Patient `json:"patients,omitempty"`

	node *node
}

// Patient is loop 2000C with 2010CA: a patient who is not the subscriber.
type Patient struct {
	// HLID is HL01.
	HLID string `json:"hl_id"`
	// Relationship is PAT01, the patient's relationship to the subscriber
	// ("01" spouse, "19" child, "G8" other, ...).
	Relationship string `json:"relationship,omitempty"`
	// Person is loop 2010CA (NM1*QC). 5010 carries no member ID here.
	Person
	// Claims are the 2300 loops of this patient (transaction mode only).
	Claims []*Claim `json:"claims,omitempty"`

	node *node
}

// Claim is loop 2300 with its service lines. Money is in cents, units in
// thousandths, dates are CCYYMMDD strings.
type Claim struct {
	// Kind is Professional or Institutional.
	Kind string `json:"kind"`
	// PatientControlNumber is CLM01, the provider's claim identifier.
	PatientControlNumber string `json:"patient_control_number"`
	// TotalCharge is CLM02 in cents.
	TotalCharge int64 `json:"total_charge_cents"`
	// FacilityCode is CLM05-1: the place of service (837P) or the facility
	// type, the first two digits of the type of bill (837I).
	FacilityCode string `json:"facility_code,omitempty"`
	// FacilityQualifier is CLM05-2: "B" (837P) or "A" (837I).
	FacilityQualifier string `json:"facility_qualifier,omitempty"`
	// FrequencyCode is CLM05-3: "1" original, "7" replacement, "8" void, ...
	FrequencyCode string `json:"frequency_code,omitempty"`
	// ProviderSignature is CLM06 ("Y"/"N"; 837P).
	ProviderSignature string `json:"provider_signature,omitempty"`
	// Assignment is CLM07 ("A", "B", "C").
	Assignment string `json:"assignment,omitempty"`
	// BenefitsAssigned is CLM08 ("Y", "N", "W").
	BenefitsAssigned string `json:"benefits_assigned,omitempty"`
	// ReleaseOfInfo is CLM09 ("Y", "I").
	ReleaseOfInfo string `json:"release_of_info,omitempty"`
	// PatientSignatureSource is CLM10 ("P"; 837P).
	PatientSignatureSource string `json:"patient_signature_source,omitempty"`
	// RelatedCauses are CLM11-1..3 ("AA" auto accident, "EM", "OA").
	RelatedCauses []string `json:"related_causes,omitempty"`
	// AccidentState and AccidentCountry are CLM11-4 and CLM11-5.
	AccidentState   string `json:"accident_state,omitempty"`
	AccidentCountry string `json:"accident_country,omitempty"`
	// SpecialProgram is CLM12.
	SpecialProgram string `json:"special_program,omitempty"`
	// DelayReason is CLM20.
	DelayReason string `json:"delay_reason,omitempty"`

	// StatementFrom and StatementTo are DTP*434 (837I statement dates).
	StatementFrom string `json:"statement_from,omitempty"`
	StatementTo   string `json:"statement_to,omitempty"`
	// Admission is DTP03 of DTP*435 (CCYYMMDD or CCYYMMDDHHMM).
	Admission string `json:"admission,omitempty"`
	// Discharge is DTP03 of DTP*096 (837I: discharge hour HHMM; 837P:
	// discharge date).
	Discharge string `json:"discharge,omitempty"`
	// AdmissionType, AdmissionSource and PatientStatus are CL101..CL103
	// (837I).
	AdmissionType   string `json:"admission_type,omitempty"`
	AdmissionSource string `json:"admission_source,omitempty"`
	PatientStatus   string `json:"patient_status,omitempty"`

	// Dates are the 2300 DTP segments in input order.
	Dates []Date `json:"dates,omitempty"`
	// Amounts are the 2300 AMT segments.
	Amounts []Amount `json:"amounts,omitempty"`
	// Refs are the 2300 REF segments in input order (F8, 9A, 9C, D9, G1,
	// EA, ...).
	Refs []Ref `json:"refs,omitempty"`
	// Notes are the 2300 NTE segments.
	Notes []Note `json:"notes,omitempty"`
	// Codes are the HI composites (diagnoses, procedures, condition,
	// occurrence and value codes) in input order.
	Codes []HealthCode `json:"health_codes,omitempty"`
	// Pricing is the 2300 HCP segment, nil when absent.
	Pricing *Pricing `json:"pricing,omitempty"`
	// Providers are the claim-level provider loops 2310A..2310F.
	Providers []Provider `json:"providers,omitempty"`
	// OtherSubscribers are the 2320 loops (other payers, COB).
	OtherSubscribers []OtherSubscriber `json:"other_subscribers,omitempty"`
	// Lines are the 2400 service lines.
	Lines []*Line `json:"lines,omitempty"`
	// Problems lists values that could not be decoded (bad amounts,
	// quantities, line numbers). They name segments and elements, never
	// values.
	Problems []string `json:"problems,omitempty"`

	tx    *Transaction
	bp    *BillingProvider
	sub   *Subscriber
	pat   *Patient
	node  *node
	start int64 // offset of CLM
	end   int64 // offset just past the claim's last segment
}

// HealthCode is one HI composite (C022).
type HealthCode struct {
	// Qualifier is C022-1 ("ABK" principal diagnosis, "ABF" other
	// diagnosis, "BE" value code, "BH" occurrence code, "BG" condition, ...).
	Qualifier string `json:"qualifier"`
	// Code is C022-2 (ICD-10 codes without the decimal point).
	Code string `json:"code"`
	// DateFormat and Date are C022-3 and C022-4 ("D8"/"RD8").
	DateFormat string `json:"date_format,omitempty"`
	Date       string `json:"date,omitempty"`
	// Amount is C022-5 in cents (value codes), nil when absent.
	Amount *int64 `json:"amount_cents,omitempty"`
	// POA is C022-9, the present-on-admission indicator (837I).
	POA string `json:"poa,omitempty"`
}

// Pricing is an HCP segment (claim or line pricing/repricing). Optional
// amounts are nil when absent.
type Pricing struct {
	// Method is HCP01, the pricing methodology ("00".."14").
	Method string `json:"method"`
	// Allowed is HCP02, the repriced allowed amount in cents.
	Allowed int64 `json:"allowed_cents"`
	// Savings is HCP03 in cents.
	Savings *int64 `json:"savings_cents,omitempty"`
	// OrgID is HCP04, the repricing organization identifier.
	OrgID string `json:"org_id,omitempty"`
	// Rate is HCP05, the per-diem or flat-rate amount in cents.
	Rate *int64 `json:"rate_cents,omitempty"`
	// ApprovedGroup is HCP06 (approved APG code on 837P, DRG on 837I) and
	// ApprovedGroupAmount HCP07 in cents.
	ApprovedGroup       string `json:"approved_group,omitempty"`
	ApprovedGroupAmount *int64 `json:"approved_group_amount_cents,omitempty"`
	// ApprovedRevenueCode is HCP08 (837I).
	ApprovedRevenueCode string `json:"approved_revenue_code,omitempty"`
	// ProcedureQualifier and ProcedureCode are HCP09 and HCP10 (line level).
	ProcedureQualifier string `json:"procedure_qualifier,omitempty"`
	ProcedureCode      string `json:"procedure_code,omitempty"`
	// UnitBasis and Units are HCP11 and HCP12 (units in thousandths).
	UnitBasis string `json:"unit_basis,omitempty"`
	Units     *int64 `json:"units_milli,omitempty"`
	// RejectReason is HCP13 ("T1".."T6").
	RejectReason string `json:"reject_reason,omitempty"`
	// PolicyCompliance is HCP14 ("1".."5") and Exception HCP15 ("1".."6").
	PolicyCompliance string `json:"policy_compliance,omitempty"`
	Exception        string `json:"exception,omitempty"`
}

// Provider is a claim-level (2310x), line-level (2420x) or other-payer
// (2330C..I) provider loop.
type Provider struct {
	// Loop is the loop ID ("2310B", "2420A", ...).
	Loop string `json:"loop"`
	// Role names the provider's role, from the NM101 entity code:
	// "referring", "rendering", "attending", "operating",
	// "other_operating", "service_facility", "supervising", "ordering",
	// "purchased_service", "primary_care", "ambulance_pickup",
	// "ambulance_dropoff", "billing", or "other".
	Role string `json:"role"`
	Entity
	// NPI is NM109 when NM108 is "XX".
	NPI string `json:"npi,omitempty"`
	// Taxonomy is PRV03.
	Taxonomy string   `json:"taxonomy,omitempty"`
	Address  *Address `json:"address,omitempty"`
	Refs     []Ref    `json:"refs,omitempty"`
}

// OtherSubscriber is a 2320 loop with its 2330 loops: another payer's
// coverage and, for COB, what it paid.
type OtherSubscriber struct {
	// PayerResponsibility, Relationship, GroupNumber, GroupName,
	// InsuranceType and ClaimFilingIndicator are SBR01..05 and SBR09.
	PayerResponsibility  string `json:"payer_responsibility,omitempty"`
	Relationship         string `json:"relationship,omitempty"`
	GroupNumber          string `json:"group_number,omitempty"`
	GroupName            string `json:"group_name,omitempty"`
	InsuranceType        string `json:"insurance_type,omitempty"`
	ClaimFilingIndicator string `json:"claim_filing_indicator,omitempty"`
	// Adjustments are the claim-level CAS segments.
	Adjustments []Adjustment `json:"adjustments,omitempty"`
	// Amounts are the AMT segments ("D" payer paid, "A8" non-covered,
	// "EAF" remaining patient liability).
	Amounts []Amount `json:"amounts,omitempty"`
	// Subscriber is loop 2330A, nil when absent.
	Subscriber *Person `json:"subscriber,omitempty"`
	// Payer is loop 2330B, nil when absent.
	Payer *Payer `json:"payer,omitempty"`
	// PaidDate is the 2330B DTP*573 (date the claim was paid).
	PaidDate string `json:"paid_date,omitempty"`
	// Providers are the 2330C.. loops.
	Providers []Provider `json:"providers,omitempty"`
}

// Adjustment is one reason/amount/quantity group of a CAS segment.
type Adjustment struct {
	Group  string `json:"group"`                 // CAS01 ("CO", "PR", "OA", "PI")
	Reason string `json:"reason"`                // CARC
	Cents  int64  `json:"amount_cents"`          // adjustment amount
	Units  int64  `json:"units_milli,omitempty"` // quantity in thousandths
}

// Line is a 2400 service line. Professional lines fill the SV1 fields,
// institutional lines the SV2 fields.
type Line struct {
	// Number is LX01.
	Number int `json:"number"`
	// RevenueCode is SV201 (837I).
	RevenueCode string `json:"revenue_code,omitempty"`
	// ProcedureQualifier ("HC", "HP", "ER", "IV", "WK"), ProcedureCode,
	// Modifiers (up to 4) and Description come from SV101 (837P) or SV202
	// (837I).
	ProcedureQualifier string   `json:"procedure_qualifier,omitempty"`
	ProcedureCode      string   `json:"procedure_code,omitempty"`
	Modifiers          []string `json:"modifiers,omitempty"`
	Description        string   `json:"description,omitempty"`
	// Charge is SV102/SV203 in cents.
	Charge int64 `json:"charge_cents"`
	// UnitBasis is SV103/SV204 ("UN", "MJ" minutes, "DA" days) and Units
	// SV104/SV205 in thousandths.
	UnitBasis string `json:"unit_basis,omitempty"`
	Units     int64  `json:"units_milli"`
	// PlaceOfService is SV105 (837P; only when it differs from CLM05-1).
	PlaceOfService string `json:"place_of_service,omitempty"`
	// DiagnosisPointers are SV107-1..4 (837P), 1-based indexes into the
	// claim's diagnosis codes.
	DiagnosisPointers []int `json:"diagnosis_pointers,omitempty"`
	// Emergency is SV109 (837P).
	Emergency string `json:"emergency,omitempty"`
	// NonCoveredCharge is SV207 in cents (837I).
	NonCoveredCharge int64 `json:"non_covered_charge_cents,omitempty"`
	// ServiceFrom and ServiceTo are DTP*472 (equal for a D8 date).
	ServiceFrom string `json:"service_from,omitempty"`
	ServiceTo   string `json:"service_to,omitempty"`
	// ControlNumber is REF*6R, the provider's line item control number.
	ControlNumber string `json:"control_number,omitempty"`
	// Dates, Refs, Amounts and Notes are the line's DTP, REF, AMT and NTE
	// segments in input order.
	Dates   []Date   `json:"dates,omitempty"`
	Refs    []Ref    `json:"refs,omitempty"`
	Amounts []Amount `json:"amounts,omitempty"`
	Notes   []Note   `json:"notes,omitempty"`
	// Pricing is the line HCP segment, nil when absent.
	Pricing *Pricing `json:"pricing,omitempty"`
	// Drug is loop 2410 (NDC), nil when absent.
	Drug *Drug `json:"drug,omitempty"`
	// Providers are the 2420x loops.
	Providers []Provider `json:"providers,omitempty"`
	// Adjudications are the 2430 loops (prior payers' line adjudication).
	Adjudications []Adjudication `json:"adjudications,omitempty"`

	claim *Claim
	node  *node
}

// Drug is loop 2410: the national drug code and quantity of a line.
type Drug struct {
	// Qualifier is LIN02 ("N4") and NDC LIN03.
	Qualifier string `json:"qualifier,omitempty"`
	NDC       string `json:"ndc,omitempty"`
	// Units is CTP04 in thousandths and UnitBasis CTP05-1 ("UN", "ML",
	// "GR", "F2", "ME").
	Units     int64  `json:"units_milli,omitempty"`
	UnitBasis string `json:"unit_basis,omitempty"`
	// Refs are the 2410 REF segments (XZ prescription, VY link sequence).
	Refs []Ref `json:"refs,omitempty"`
}

// Adjudication is a 2430 loop: how a prior payer adjudicated the line.
type Adjudication struct {
	// PayerID is SVD01 (matches a 2330B NM109).
	PayerID string `json:"payer_id,omitempty"`
	// Paid is SVD02 in cents.
	Paid int64 `json:"paid_cents"`
	// ProcedureQualifier, ProcedureCode and Modifiers are SVD03.
	ProcedureQualifier string   `json:"procedure_qualifier,omitempty"`
	ProcedureCode      string   `json:"procedure_code,omitempty"`
	Modifiers          []string `json:"modifiers,omitempty"`
	// RevenueCode is SVD04 (837I).
	RevenueCode string `json:"revenue_code,omitempty"`
	// PaidUnits is SVD05 in thousandths.
	PaidUnits int64 `json:"paid_units_milli,omitempty"`
	// BundledLine is SVD06.
	BundledLine string `json:"bundled_line,omitempty"`
	// Adjustments are the line CAS segments.
	Adjustments []Adjustment `json:"adjustments,omitempty"`
	// PaidDate is DTP*573.
	PaidDate string `json:"paid_date,omitempty"`
	// RemainingLiability is AMT*EAF in cents, nil when absent.
	RemainingLiability *int64 `json:"remaining_liability_cents,omitempty"`
}
