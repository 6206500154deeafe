package claimstatus

import (
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Version is the implementation convention of the 276 and 277 claim
// status (GS08 and ST03).
const Version = "005010X212"

// Functional identifiers (GS01).
const (
	FunctionalIDInquiry  = "HR" // 276
	FunctionalIDResponse = "HN" // 277
)

// Header is the ST/BHT of a transaction set.
type Header struct {
	Control   string // ST02
	Version   string // ST03
	Purpose   string // BHT02: 13 request (276), 08 status (277)
	Reference string // BHT03
	Date      string // BHT04, CCYYMMDD
	Time      string // BHT05
}

// Party is an NM1 name with its identifier.
type Party struct {
	EntityCode  string // NM101: PR payer, 41 receiver, 1P provider, IL subscriber, QC patient
	EntityType  string // NM102: 1 person, 2 organization
	Last        string // NM103: last or organization name
	First       string // NM104
	Middle      string // NM105
	Suffix      string // NM107
	IDQualifier string // NM108: PI/XV payer, 46 ETIN, XX NPI, FI TIN, SV, MI/II/24 member
	ID          string // NM109
}

// Member is a subscriber (2000D) or dependent (2000E) of a 276.
type Member struct {
	Party
	BirthDate string // DMG02, CCYYMMDD
	Gender    string // DMG03
}

// Ref is a REF segment.
type Ref struct {
	Qualifier string // REF01
	Value     string // REF02
}

// Line is a service line asked about (2210D/2210E).
type Line struct {
	// Procedure is SVC01 split into components (qualifier, code,
	// modifiers).
	Procedure []string
	// ChargeCents is SVC02; ChargeOK is false when it was not a number.
	ChargeCents int64
	ChargeOK    bool
	// RevenueCode is SVC04.
	RevenueCode string
	// Units is SVC07 in thousandths (1500 = 1.5), 0 when absent.
	Units int64
	// ControlNumber is REF*FJ, the line item control number.
	ControlNumber string
	// ServiceFrom and ServiceTo are DTP*472 (ServiceTo empty for D8).
	ServiceFrom, ServiceTo string
}

// Claim is the claim asked about (2200D/2200E).
type Claim struct {
	// Trace is TRN02, the inquiry's trace number the 277 echoes.
	Trace string
	// PayerClaimControlNumber is REF*1K.
	PayerClaimControlNumber string
	// PatientControlNumber is REF*EJ: CLM01 of the 837.
	PatientControlNumber string
	// BillType is REF*BLT (institutional type of bill).
	BillType string
	// ClearinghouseTrace is REF*D9.
	ClearinghouseTrace string
	// Refs are every 2200 REF, those above included (LU, 6P, XZ too).
	Refs []Ref
	// ChargeCents is AMT*T3, the total claim charge; HasCharge says
	// whether it was sent as a number.
	ChargeCents int64
	HasCharge   bool
	// ServiceFrom and ServiceTo are DTP*472 (ServiceTo empty for D8).
	ServiceFrom, ServiceTo string
	// Lines are the 2210 loops.
	Lines []Line
}

// Inquiry is one claim status question of a 276: a claim (2200D or
// 2200E) with the levels above it. The parents (Header, Payer, Receiver,
// Providers, Subscriber) are shared by the inquiries under them: do not
// modify them.
type Inquiry struct {
	Header   *Header
	Payer    *Party // 2100A
	Receiver *Party // 2100B
	// Providers are the 2100C names (up to two: NPI and TIN).
	Providers []Party
	// Subscriber is 2000D/2100D.
	Subscriber *Member
	// Dependent is 2000E/2100E, nil when the patient is the subscriber.
	Dependent *Member
	Claim     Claim
	// Position is the segment position (ST = 1) and Offset the input
	// offset of the claim's TRN.
	Position int
	Offset   int64
}

// Patient returns the patient: the dependent, or the subscriber.
func (q *Inquiry) Patient() *Member {
	if q.Dependent != nil {
		return q.Dependent
	}
	return q.Subscriber
}

// ProviderID returns the first provider identifier with qualifier qual
// (XX for the NPI, FI for the TIN), "" when none was sent.
func (q *Inquiry) ProviderID(qual string) string {
	for _, p := range q.Providers {
		if p.IDQualifier == qual {
			return p.ID
		}
	}
	return ""
}

// period reads DTP02/DTP03 into a from/to pair.
func period(seg *x12.Segment) (from, to string) {
	v := seg.String(3)
	if seg.String(2) == "RD8" {
		from, to, _ = strings.Cut(v, "-")
		return from, to
	}
	return v, ""
}
