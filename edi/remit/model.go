package remit

import (
	"iter"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Version is the implementation convention reference of the 835 this
// package reads and writes (GS08/ST03).
const Version = "005010X221A1"

// FunctionalID is the GS01 of a health care claim payment/advice group.
const FunctionalID = "HP"

// Remittance is one 835 transaction set (ST..SE): the payment (BPR/TRN),
// the payer (1000A) and payee (1000B), the claim payments grouped under
// header numbers (LX, loop 2000) and the provider-level adjustments (PLB).
//
// Money is int64 cents; quantities are int64 thousandths; dates are
// CCYYMMDD strings. A negative amount is what the sender wrote: a reversal
// claim (CLP02 22) carries the original's amounts negated (see
// Claim.IsReversal); a positive PLB amount reduces the payment and a
// negative one increases it.
type Remittance struct {
	// ControlNumber is ST02; ImplementationRef ST03 ("" when absent: the
	// GS08 under which the set was decoded is then in Version).
	ControlNumber     string `json:"control_number"`
	ImplementationRef string `json:"implementation_ref,omitempty"`
	// Version is the guide the set was decoded with (ST03, else GS08;
	// the streaming Decoder, which sees no GS, assumes 005010X221A1).
	Version string `json:"version"`

	Payment Payment `json:"payment"`
	Trace   Trace   `json:"trace"`
	// Currency is CUR02 (CUR01 PR), "" when absent (US dollars).
	Currency string `json:"currency,omitempty"`
	// ReceiverID is REF*EV (receiver identification), VersionID REF*F2.
	ReceiverID string `json:"receiver_id,omitempty"`
	VersionID  string `json:"version_id,omitempty"`
	// ProductionDate is DTM*405.
	ProductionDate string `json:"production_date,omitempty"`

	Payer Payer `json:"payer"`
	Payee Payee `json:"payee"`

	// Groups are the header number loops (2000) with their claims. The
	// streaming Decoder leaves it empty (each claim comes with its group).
	Groups []*Group `json:"groups,omitempty"`
	// Adjustments are the PLB segments.
	Adjustments []ProviderAdjustment `json:"provider_adjustments,omitempty"`
	// SegmentCount is SE01 as sent (0 when absent or not a number).
	SegmentCount int `json:"segment_count,omitempty"`
	// Totals are counted by the decoders over the claims of the set (the
	// streaming Decoder too, which keeps no claims): with Adjustments they
	// check BPR02 at the end of a set (Totals.Paid − Σ PLB).
	Totals Totals `json:"totals"`

	// Problems lists values outside the claims that could not be decoded
	// (by segment position and element, never by value).
	Problems []string `json:"problems,omitempty"`

	// segs are the set's segments (ST..SE) as read, for Encode; nil from
	// the streaming Decoder and for a remittance built by hand.
	segs []*x12.Segment
}

// Claims iterates over the claims of every group, in input order.
func (r *Remittance) Claims() iter.Seq[*Claim] {
	return func(yield func(*Claim) bool) {
		for _, g := range r.Groups {
			for _, c := range g.Claims {
				if !yield(c) {
					return
				}
			}
		}
	}
}

// Totals are the claim count and sums of a decoded set.
type Totals struct {
	Claims int   `json:"claims"`
	Charge int64 `json:"charge"` // Σ CLP03
	Paid   int64 `json:"paid"`   // Σ CLP04
}

// Payment is the BPR segment: what moves, how and when.
type Payment struct {
	// Handling is BPR01: C payment with remittance, D payment only, H
	// notification only, I remittance information only, P prenotification,
	// U split payment and remittance, X handling party's option.
	Handling string `json:"handling"`
	// Amount is BPR02, the total actual provider payment, in cents.
	Amount int64 `json:"amount"`
	// CreditDebit is BPR03: C credit, D debit.
	CreditDebit string `json:"credit_debit"`
	// Method is BPR04: ACH, BOP, CHK, FWT or NON.
	Method string `json:"method"`
	// Format is BPR05 (CCP, CTX) for ACH payments.
	Format string `json:"format,omitempty"`
	// Sender bank: BPR06 DFI qualifier, BPR07 DFI number, BPR08 account
	// qualifier, BPR09 account number.
	SenderDFIQualifier     string `json:"sender_dfi_qualifier,omitempty"`
	SenderDFI              string `json:"sender_dfi,omitempty"`
	SenderAccountQualifier string `json:"sender_account_qualifier,omitempty"`
	SenderAccount          string `json:"sender_account,omitempty"`
	// OriginatorID is BPR10 (payer identifier), OriginatorSupplemental BPR11.
	OriginatorID           string `json:"originator_id,omitempty"`
	OriginatorSupplemental string `json:"originator_supplemental,omitempty"`
	// Receiver bank: BPR12..BPR15.
	ReceiverDFIQualifier     string `json:"receiver_dfi_qualifier,omitempty"`
	ReceiverDFI              string `json:"receiver_dfi,omitempty"`
	ReceiverAccountQualifier string `json:"receiver_account_qualifier,omitempty"`
	ReceiverAccount          string `json:"receiver_account,omitempty"`
	// Date is BPR16: the check issue or EFT effective date.
	Date string `json:"date"`
}

// Trace is the TRN reassociation trace: TRN02 is the check or EFT trace
// number that ties the remittance to the money.
type Trace struct {
	Type         string `json:"type"`                   // TRN01, "1"
	Number       string `json:"number"`                 // TRN02
	Originator   string `json:"originator"`             // TRN03, payer ID ("1" + EIN customarily)
	Supplemental string `json:"supplemental,omitempty"` // TRN04
}

// Address is N3/N4.
type Address struct {
	Line1       string `json:"line1,omitempty"`
	Line2       string `json:"line2,omitempty"`
	City        string `json:"city,omitempty"`
	State       string `json:"state,omitempty"`
	PostalCode  string `json:"postal_code,omitempty"`
	Country     string `json:"country,omitempty"`
	Subdivision string `json:"subdivision,omitempty"` // N407
}

// Ref is a REF segment: qualifier (REF01) and value (REF02).
type Ref struct {
	Qualifier string `json:"qualifier"`
	Value     string `json:"value"`
}

// Contact is a PER segment: function (PER01: CX business, BL technical,
// IC web site), name and up to three communication numbers.
type Contact struct {
	Function string          `json:"function"`
	Name     string          `json:"name,omitempty"`
	Numbers  []Communication `json:"numbers,omitempty"`
}

// Communication is one PER qualifier/number pair (TE phone, EM e-mail, FX
// fax, EX extension, UR web address).
type Communication struct {
	Qualifier string `json:"qualifier"`
	Number    string `json:"number"`
}

// Payer is loop 1000A.
type Payer struct {
	Name string `json:"name"` // N102
	// IDQualifier is N103 (XV, the CMS plan ID) and ID N104, when sent.
	IDQualifier string    `json:"id_qualifier,omitempty"`
	ID          string    `json:"id,omitempty"`
	Address     Address   `json:"address"`
	Refs        []Ref     `json:"refs,omitempty"`     // 2U, EO, HI, NF
	Contacts    []Contact `json:"contacts,omitempty"` // PER*CX, PER*BL, PER*IC
}

// Payee is loop 1000B: the provider paid.
type Payee struct {
	Name string `json:"name"` // N102
	// IDQualifier is N103: XX (NPI), FI (federal tax ID) or XV; ID is N104.
	IDQualifier string  `json:"id_qualifier"`
	ID          string  `json:"id"`
	Address     Address `json:"address"`
	Refs        []Ref   `json:"refs,omitempty"` // 0B, D3, PQ, TJ (TIN when N103 is XX)
	// Delivery is RDM (remittance delivery method), nil when absent.
	Delivery *Delivery `json:"delivery,omitempty"`
}

// NPI returns the payee's NPI (N104 when N103 is XX), or "".
func (p *Payee) NPI() string {
	if p.IDQualifier == "XX" {
		return p.ID
	}
	return ""
}

// TIN returns the payee's federal tax ID: N104 when N103 is FI, else the
// REF*TJ value, or "".
func (p *Payee) TIN() string {
	if p.IDQualifier == "FI" {
		return p.ID
	}
	return refValue(p.Refs, "TJ")
}

// Delivery is the RDM segment.
type Delivery struct {
	Method string `json:"method"`           // RDM01: BM mail, EM e-mail, FT file transfer, OL online
	Name   string `json:"name,omitempty"`   // RDM02
	Number string `json:"number,omitempty"` // RDM03
}

// Group is a header number loop (2000): LX01 with the optional provider
// summary (TS3) and its claims.
type Group struct {
	Number  int              `json:"number"` // LX01
	Summary *ProviderSummary `json:"summary,omitempty"`
	// Claims are the group's claims (empty from the streaming Decoder).
	Claims []*Claim `json:"claims,omitempty"`
}

// ProviderSummary is TS3 (institutional provider summary), main fields.
type ProviderSummary struct {
	ProviderID       string `json:"provider_id"`        // TS301
	FacilityCode     string `json:"facility_code"`      // TS302
	FiscalPeriodDate string `json:"fiscal_period_date"` // TS303
	ClaimCount       int64  `json:"claim_count"`        // TS304, thousandths
	TotalCharge      int64  `json:"total_charge"`       // TS305, cents
}

// Adjustment is one CAS segment: a group code and up to six reasons.
type Adjustment struct {
	// Group is CAS01: CO contractual obligation, PR patient responsibility,
	// OA other adjustment, PI payer-initiated reduction.
	Group   string   `json:"group"`
	Reasons []Reason `json:"reasons"`
}

// Reason is one CAS reason/amount/quantity triple.
type Reason struct {
	Code   string `json:"code"`   // CARC
	Amount int64  `json:"amount"` // cents
	// Quantity is in thousandths; HasQuantity says whether it was sent.
	Quantity    int64 `json:"quantity,omitempty"`
	HasQuantity bool  `json:"has_quantity,omitempty"`
}

// Party is an NM1 of loop 2100 (patient QC, insured IL, corrected name 74,
// rendering provider 82, crossover carrier TT, corrected priority payer
// PR, other subscriber GB).
type Party struct {
	Entity      string `json:"entity"`      // NM101
	Type        string `json:"type"`        // NM102: 1 person, 2 non-person
	LastOrOrg   string `json:"last_or_org"` // NM103
	First       string `json:"first,omitempty"`
	Middle      string `json:"middle,omitempty"`
	Suffix      string `json:"suffix,omitempty"` // NM107
	IDQualifier string `json:"id_qualifier,omitempty"`
	ID          string `json:"id,omitempty"`
}

// Inpatient is MIA (inpatient adjudication): covered days, PPS amounts and
// claim remark codes (MIA05, MIA20..MIA23).
type Inpatient struct {
	CoveredDays             int64    `json:"covered_days"`                        // MIA01, thousandths
	PPSOperatingOutlier     int64    `json:"pps_operating_outlier,omitempty"`     // MIA02
	LifetimePsychiatricDays int64    `json:"lifetime_psychiatric_days,omitempty"` // MIA03, thousandths
	DRGAmount               int64    `json:"drg_amount,omitempty"`                // MIA04
	Remarks                 []string `json:"remarks,omitempty"`
	// Amounts are the other monetary elements keyed by position
	// ("MIA06".."MIA19", "MIA24"), in cents.
	Amounts map[string]int64 `json:"amounts,omitempty"`
}

// Outpatient is MOA (outpatient adjudication).
type Outpatient struct {
	ReimbursementRate      string   `json:"reimbursement_rate,omitempty"`       // MOA01, as sent
	HCPCSPayable           int64    `json:"hcpcs_payable,omitempty"`            // MOA02
	Remarks                []string `json:"remarks,omitempty"`                  // MOA03..MOA07 RARCs
	ESRDPayment            int64    `json:"esrd_payment,omitempty"`             // MOA08
	NonPayableProfessional int64    `json:"non_payable_professional,omitempty"` // MOA09
}

// Amount is an AMT segment (qualifier, cents).
type Amount struct {
	Qualifier string `json:"qualifier"`
	Amount    int64  `json:"amount"`
}

// Quantity is a QTY segment (qualifier, thousandths).
type Quantity struct {
	Qualifier string `json:"qualifier"`
	Quantity  int64  `json:"quantity"`
}

// Remark is an LQ segment: HE (RARC) or RX (NCPDP reject code).
type Remark struct {
	Qualifier string `json:"qualifier"`
	Code      string `json:"code"`
}

// Claim is a claim payment (loop 2100) with its service lines (2110).
type Claim struct {
	PatientControlNumber string `json:"patient_control_number"` // CLP01 (= CLM01 of the 837)
	// Status is CLP02: 1/2/3 processed as primary/secondary/tertiary, 4
	// denied, 19/20/21 processed and forwarded, 22 reversal of previous
	// payment, 23 not our claim, 25 predetermination pricing only.
	Status string `json:"status"`
	Charge int64  `json:"charge"` // CLP03
	Paid   int64  `json:"paid"`   // CLP04
	// PatientResponsibility is CLP05; HasPatientResponsibility says
	// whether it was sent (it is omitted when zero).
	PatientResponsibility    int64  `json:"patient_responsibility,omitempty"`
	HasPatientResponsibility bool   `json:"has_patient_responsibility,omitempty"`
	FilingIndicator          string `json:"filing_indicator"`             // CLP06
	PayerClaimControlNumber  string `json:"payer_claim_control_number"`   // CLP07 (the ICN for REF*F8)
	Facility                 string `json:"facility,omitempty"`           // CLP08 (POS or bill type facility)
	Frequency                string `json:"frequency,omitempty"`          // CLP09
	DRG                      string `json:"drg,omitempty"`                // CLP11
	DRGWeight                string `json:"drg_weight,omitempty"`         // CLP12, as sent
	DischargeFraction        string `json:"discharge_fraction,omitempty"` // CLP13, as sent

	Adjustments []Adjustment `json:"adjustments,omitempty"` // claim-level CAS

	Patient          *Party `json:"patient,omitempty"`           // NM1*QC
	Insured          *Party `json:"insured,omitempty"`           // NM1*IL
	CorrectedInsured *Party `json:"corrected_insured,omitempty"` // NM1*74
	Rendering        *Party `json:"rendering,omitempty"`         // NM1*82
	Crossover        *Party `json:"crossover,omitempty"`         // NM1*TT
	CorrectedPayer   *Party `json:"corrected_payer,omitempty"`   // NM1*PR
	OtherSubscriber  *Party `json:"other_subscriber,omitempty"`  // NM1*GB

	Inpatient  *Inpatient  `json:"inpatient,omitempty"`  // MIA
	Outpatient *Outpatient `json:"outpatient,omitempty"` // MOA

	// Refs are the claim REF segments (other claim IDs such as 9A/9C
	// repriced claim references, EA medical record, 1K.., and rendering
	// provider IDs).
	Refs []Ref `json:"refs,omitempty"`
	// Dates: DTM*232/233 statement period, DTM*036 coverage expiration,
	// DTM*050 claim received.
	StatementFrom      string     `json:"statement_from,omitempty"`
	StatementTo        string     `json:"statement_to,omitempty"`
	CoverageExpiration string     `json:"coverage_expiration,omitempty"`
	Received           string     `json:"received,omitempty"`
	Contacts           []Contact  `json:"contacts,omitempty"`
	Amounts            []Amount   `json:"amounts,omitempty"`
	Quantities         []Quantity `json:"quantities,omitempty"`

	Lines []*Line `json:"lines,omitempty"`

	// Problems lists values of the claim that could not be decoded (by
	// segment position and element, never by value); they read as zero.
	Problems []string `json:"problems,omitempty"`
}

// Procedure is an SVC01/SVC06 composite.
type Procedure struct {
	Qualifier   string   `json:"qualifier"` // HC, NU, AD, ...
	Code        string   `json:"code"`
	Modifiers   []string `json:"modifiers,omitempty"`
	Description string   `json:"description,omitempty"`
}

// Line is a service payment (loop 2110).
type Line struct {
	Procedure   Procedure `json:"procedure"`              // SVC01
	Charge      int64     `json:"charge"`                 // SVC02
	Paid        int64     `json:"paid"`                   // SVC03
	RevenueCode string    `json:"revenue_code,omitempty"` // SVC04
	// Units is SVC05 (units paid, thousandths); HasUnits says whether sent.
	Units    int64 `json:"units,omitempty"`
	HasUnits bool  `json:"has_units,omitempty"`
	// OriginalProcedure is SVC06 when the payer changed the procedure.
	OriginalProcedure *Procedure `json:"original_procedure,omitempty"`
	// OriginalUnits is SVC07 (thousandths), 0 when absent.
	OriginalUnits int64 `json:"original_units,omitempty"`

	// ServiceDate is DTM*472; ServiceFrom/ServiceTo DTM*150/151.
	ServiceDate string `json:"service_date,omitempty"`
	ServiceFrom string `json:"service_from,omitempty"`
	ServiceTo   string `json:"service_to,omitempty"`

	Adjustments []Adjustment `json:"adjustments,omitempty"`
	// Refs are the line REF segments (6R line item control number, LU
	// location, rendering IDs, 0K policy, ...).
	Refs       []Ref      `json:"refs,omitempty"`
	Amounts    []Amount   `json:"amounts,omitempty"` // AMT*B6 allowed, KH, ...
	Quantities []Quantity `json:"quantities,omitempty"`
	Remarks    []Remark   `json:"remarks,omitempty"` // LQ*HE RARCs
}

// ControlNumber returns the line item control number (REF*6R, the 837
// REF*6R of the line), or "".
func (l *Line) ControlNumber() string { return refValue(l.Refs, "6R") }

// Allowed returns AMT*B6 (allowed amount) and whether it was sent. It is
// informational only, never part of balancing.
func (l *Line) Allowed() (int64, bool) { return amountOf(l.Amounts, "B6") }

// ProviderAdjustment is a PLB segment.
type ProviderAdjustment struct {
	ProviderID       string `json:"provider_id"`        // PLB01
	FiscalPeriodDate string `json:"fiscal_period_date"` // PLB02
	// Items are the up to six adjustment pairs (PLB03/04 .. PLB13/14).
	Items []PLBItem `json:"items"`
}

// PLBItem is one provider-level adjustment: reason (PLB03-1), reference
// (PLB03-2) and amount. A positive amount reduces the payment (WO
// recoupment), a negative one increases it (L6 interest).
type PLBItem struct {
	Reason    string `json:"reason"`
	Reference string `json:"reference,omitempty"`
	Amount    int64  `json:"amount"`
}

func refValue(refs []Ref, qual string) string {
	for _, r := range refs {
		if r.Qualifier == qual {
			return r.Value
		}
	}
	return ""
}

func amountOf(as []Amount, qual string) (int64, bool) {
	for _, a := range as {
		if a.Qualifier == qual {
			return a.Amount, true
		}
	}
	return 0, false
}
