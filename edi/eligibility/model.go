package eligibility

import (
	"strings"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Version is the implementation convention of the 270 and 271 (GS08 and
// ST03).
const Version = "005010X279A1"

// Functional identifiers (GS01).
const (
	FunctionalIDInquiry  = "HS" // 270
	FunctionalIDResponse = "HB" // 271
)

// Header is the ST/BHT of a transaction set.
type Header struct {
	Control   string // ST02
	Version   string // ST03 (GS08 when ST03 is absent)
	Purpose   string // BHT02: 13 request, 01 cancellation (270); 11 response, 06 confirmation (271)
	Reference string // BHT03
	Date      string // BHT04, CCYYMMDD
	Time      string // BHT05
	Type      string // BHT06 (270: RT spend-down)
}

// Party is an NM1 name with its identifier.
type Party struct {
	EntityCode  string // NM101, e.g. PR payer, 1P provider, IL subscriber, 03 dependent
	EntityType  string // NM102: 1 person, 2 organization
	Last        string // NM103: last or organization name
	First       string // NM104
	Middle      string // NM105
	Suffix      string // NM107
	IDQualifier string // NM108, e.g. PI payer ID, XX NPI, MI member ID
	ID          string // NM109
}

// Ref is a REF segment.
type Ref struct {
	Qualifier   string // REF01
	Value       string // REF02
	Description string // REF03
}

// Address is N3/N4.
type Address struct {
	Line1, Line2 string // N301, N302
	City         string // N401
	State        string // N402
	Zip          string // N403
	Country      string // N404
}

// Trace is a TRN segment: TRN01 1 (current, the inquirer's own) or 2
// (referenced: a 271 echoing the 270's TRN*1).
type Trace struct {
	Type       string // TRN01
	Number     string // TRN02
	Originator string // TRN03: 1 + EIN, or 9 + an identifier (10 characters)
	Secondary  string // TRN04
}

// Date is a DTP segment: a date (D8) or a range (RD8).
type Date struct {
	Qualifier string // DTP01, e.g. 291 plan, 346/347 plan begin/end, 356/357 eligibility begin/end
	From, To  string // CCYYMMDD; To empty for a single date
}

// BenefitInquiry is one 2110C/2110D loop of a 270: what is asked about.
type BenefitInquiry struct {
	// ServiceTypes are the EQ01 service type codes (repeated), e.g. 30
	// health benefit plan coverage.
	ServiceTypes []string
	// Procedure is EQ02 split into its components (qualifier, code,
	// modifiers), nil when absent.
	Procedure []string
	// CoverageLevel is EQ03.
	CoverageLevel string
	// Refs are the 2110 REF segments (9F referral, G1 prior
	// authorization).
	Refs []Ref
	// Date is the 2110 DTP*291, when sent.
	Date *Date
}

// Member is a subscriber (2000C/2100C) or dependent (2000D/2100D) of a
// 270.
type Member struct {
	Party
	Traces    []Trace // 2000C/2000D TRN*1 (up to 2)
	Refs      []Ref   // 2100 REF
	Address   *Address
	BirthDate string // DMG02, CCYYMMDD
	Gender    string // DMG03: F, M (U in a 271)
	// Relationship is INS02 (18 self for a subscriber; 01 spouse, 19
	// child, 34 other adult for a dependent), empty without INS.
	Relationship string
	// Dates are the 2100 DTP segments (291 plan date, 102 issue).
	Dates []Date
	// Inquiries are the 2110 EQ loops.
	Inquiries []BenefitInquiry
}

// PlanDate returns the 2100 DTP*291 date or range the inquiry asks about.
func (m *Member) PlanDate() (Date, bool) {
	for _, d := range m.Dates {
		if d.Qualifier == "291" {
			return d, true
		}
	}
	return Date{}, false
}

// ServiceTypes returns the service types asked for in every EQ loop, in
// order, without repeats.
func (m *Member) ServiceTypes() []string {
	var out []string
	for _, q := range m.Inquiries {
		for _, st := range q.ServiceTypes {
			if !contains(out, st) {
				out = append(out, st)
			}
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// Receiver is the information receiver (2100B): the provider asking.
type Receiver struct {
	Party
	Refs     []Ref
	Address  *Address
	Taxonomy string // PRV03 (PRV02 PXC)
	PRVCode  string // PRV01, e.g. PE performing, RF referring
}

// Inquiry is one eligibility question of a 270: a subscriber, or a
// dependent with its subscriber, with the information source and
// receiver above it. The parents (Header, Source, Receiver, and the
// Subscriber of a dependent inquiry) are shared by the inquiries under
// them: do not modify them.
type Inquiry struct {
	Header   *Header
	Source   *Party    // 2100A
	Receiver *Receiver // 2100B
	// Subscriber is 2000C/2100C/2110C.
	Subscriber *Member
	// Dependent is 2000D/2100D/2110D, nil for a subscriber inquiry.
	Dependent *Member
	// Position is the segment position (ST = 1) and Offset the input
	// offset of the HL of the level asked about (2000C or 2000D).
	Position int
	Offset   int64
}

// Patient returns the member asked about: the dependent, or the
// subscriber.
func (q *Inquiry) Patient() *Member {
	if q.Dependent != nil {
		return q.Dependent
	}
	return q.Subscriber
}

// Traces returns the trace numbers of the level asked about (TRN*1 of
// 2000D, else of 2000C), to be echoed as TRN*2 in the 271.
func (q *Inquiry) Traces() []Trace {
	if q.Dependent != nil && len(q.Dependent.Traces) > 0 {
		return q.Dependent.Traces
	}
	return q.Subscriber.Traces
}

// parseDate reads a DTP (qualifier, format, value).
func parseDate(seg *x12.Segment) Date {
	d := Date{Qualifier: seg.String(1)}
	v := seg.String(3)
	if seg.String(2) == "RD8" {
		from, to, _ := strings.Cut(v, "-")
		d.From, d.To = from, to
	} else {
		d.From = v
	}
	return d
}
