package inquiry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/roster"
)

// Person is someone a 270 asks about: 2100C (the subscriber) or 2100D
// (a dependent without an ID of their own). Every field is PHI.
type Person struct {
	// MemberID is NM109 (2100C only).
	MemberID string `json:"member_id,omitempty"`
	// Last and First are NM103 and NM104.
	Last  string `json:"last_name,omitempty"`
	First string `json:"first_name,omitempty"`
	// DOB is DMG02 (D8 CCYYMMDD), "" when not sent.
	DOB string `json:"dob,omitempty"`
	// Gender is DMG03.
	Gender string `json:"gender,omitempty"`
}

// EligibilityInquiry is one inquiry of a 270: a 2000C subscriber, with a
// 2000D dependent when the patient is one.
type EligibilityInquiry struct {
	// PayerID is 2100A NM109, the payer asked.
	PayerID string `json:"payer_id,omitempty"`
	// Subscriber is 2100C.
	Subscriber Person `json:"subscriber"`
	// Dependent is 2100D, nil when the subscriber is the patient.
	Dependent *Person `json:"dependent,omitempty"`
	// Date is the DTP*291 plan date of the patient's loop: CCYYMMDD (D8)
	// or CCYYMMDD-CCYYMMDD (RD8); "" means today.
	Date string `json:"date,omitempty"`
	// ServiceTypes are the EQ01 codes of the patient's 2110 loops, in
	// order; none means 30 (health benefit plan coverage).
	ServiceTypes []string `json:"service_types,omitempty"`
}

// Loops of a 271 where an AAA rejection may stand.
const (
	Loop2100A = "2100A"
	Loop2100C = "2100C"
	Loop2100D = "2100D"
)

// AAA is a request validation: AAA*N**<Code>*<Action> at Loop, with an
// optional MSG text that explains it (no PHI in it).
type AAA struct {
	Loop    string `json:"loop"`
	Code    string `json:"code"`
	Action  string `json:"action"`
	Message string `json:"message,omitempty"`
}

// AAA03 reject reasons used (X279A1; see x12-reference §7).
const (
	AAAUnableToRespond   = "42" // unable to respond at current time
	AAAInvalidDOS        = "57" // invalid/missing date(s) of service
	AAAInvalidDOB        = "58" // invalid/missing date of birth
	AAADOBAfterDOS       = "60" // date of birth follows date(s) of service
	AAADOSOutsidePeriod  = "62" // date of service not within allowable inquiry period
	AAADOSInFuture       = "63" // date of service in future
	AAAInvalidPatientNm  = "65" // invalid/missing patient name
	AAADOBMismatch       = "71" // patient birth date does not match that for the patient on the database
	AAAInvalidMemberID   = "72" // invalid/missing subscriber/insured ID
	AAAInvalidName       = "73" // invalid/missing subscriber/insured name
	AAASubscriberUnknown = "75" // subscriber/insured not found
	AAADuplicateID       = "76" // duplicate subscriber/insured ID number
	AAAPatientUnknown    = "77" // subscriber found, patient not found
	AAAInvalidPayer      = "79" // invalid participant identification
)

// AAA04 follow-up actions used.
const (
	// ActionCorrect: please correct and resubmit.
	ActionCorrect = "C"
	// ActionResubmit: resubmission allowed.
	ActionResubmit = "R"
)

// Benefit is one EB segment: EB01 Info, EB02 CoverageLevel, EB03
// ServiceType, EB04 InsuranceType, EB05 Plan (empty elements are left
// out).
type Benefit struct {
	Info          string `json:"info"`
	CoverageLevel string `json:"coverage_level,omitempty"`
	ServiceType   string `json:"service_type"`
	InsuranceType string `json:"insurance_type,omitempty"`
	Plan          string `json:"plan,omitempty"`
}

// EB01 codes used.
const (
	EBActive   = "1"
	EBInactive = "6"
)

// Member is what a 271 echoes of a person found (2100C or 2100D): the
// identifiers used to find them, as enrolled, and the eligibility dates.
// PHI.
type Member struct {
	MemberID    string `json:"member_id,omitempty"`
	Last        string `json:"last_name"`
	First       string `json:"first_name"`
	Middle      string `json:"middle,omitempty"`
	DOB         string `json:"dob,omitempty"`
	Gender      string `json:"gender,omitempty"`
	GroupNumber string `json:"group_number,omitempty"`
	// EligibilityBegin and EligibilityEnd are DTP*356 and DTP*357
	// ("" unknown / open-ended).
	EligibilityBegin string `json:"eligibility_begin,omitempty"`
	EligibilityEnd   string `json:"eligibility_end,omitempty"`
}

// EligibilityAnswer is the 271 answer to one inquiry. Exactly one of
// Reject and Benefits is set. Benefits belong to the patient: the
// dependent (2110D) when the inquiry has one, else the subscriber
// (2110C).
type EligibilityAnswer struct {
	// Reject is the AAA when the inquiry could not be answered.
	Reject *AAA `json:"reject,omitempty"`
	// Subscriber is the 2100C echo (the identifiers sent, completed from
	// the roster when found); Dependent the 2100D one.
	Subscriber Member  `json:"subscriber"`
	Dependent  *Member `json:"dependent,omitempty"`
	// Benefits are the EB segments, one per service type asked.
	Benefits []Benefit `json:"benefits,omitempty"`
	// From and To are the plan date(s) asked (DTP*291), CCYYMMDD.
	From string `json:"from"`
	To   string `json:"to"`
	// Reason is the roster's reason (for the audit log and --json).
	Reason roster.Reason `json:"reason,omitempty"`
}

// Active reports whether the patient is covered on the date asked.
func (a *EligibilityAnswer) Active() bool {
	return a.Reject == nil && len(a.Benefits) > 0 && a.Benefits[0].Info == EBActive
}

// EligibilityConfig configures an Eligibility responder.
type EligibilityConfig struct {
	// PayerIDs are the 2100A payer IDs we answer for; an inquiry for any
	// other is answered AAA 79 at 2100A. Empty: every payer ID.
	PayerIDs []string
	// HistoryMonths is how far back a plan date may be. Default 24.
	HistoryMonths int
	// Now is the clock (the default plan date is today in Location).
	// Default time.Now.
	Now func() time.Time
	// Location is the time zone of "today". Default UTC.
	Location *time.Location
}

// Eligibility answers 270 inquiries from the roster, with the matching
// rules of claim eligibility (roster.Checker). It is safe for concurrent
// use.
type Eligibility struct {
	checker *roster.Checker
	cfg     EligibilityConfig
}

// NewEligibility returns a responder deciding with checker.
func NewEligibility(checker *roster.Checker, cfg EligibilityConfig) (*Eligibility, error) {
	if checker == nil {
		return nil, errors.New("inquiry: NewEligibility: nil checker")
	}
	if cfg.HistoryMonths < 0 {
		return nil, fmt.Errorf("inquiry: NewEligibility: negative HistoryMonths %d", cfg.HistoryMonths)
	}
	if cfg.HistoryMonths == 0 {
		cfg.HistoryMonths = 24
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &Eligibility{checker: checker, cfg: cfg}, nil
}

// Today returns the responder's date, CCYYMMDD.
func (e *Eligibility) Today() string { return e.cfg.Now().In(e.cfg.Location).Format("20060102") }

// Answer answers one inquiry, reading the roster through lookup (the
// *store.Store, or a *store.Tx inside a transaction). The error is for
// lookup failures only; every roster outcome is an answer.
func (e *Eligibility) Answer(ctx context.Context, lookup roster.MemberLookup, inq EligibilityInquiry) (EligibilityAnswer, error) {
	today := e.Today()
	a, party, ok := Precheck(inq, e.cfg.PayerIDs, today, e.cfg.HistoryMonths)
	if !ok {
		return a, nil
	}
	d, err := e.checker.CheckWith(ctx, lookup, party)
	if err != nil {
		return EligibilityAnswer{}, fmt.Errorf("inquiry: eligibility: %w", err)
	}
	return Decide(inq, a, d), nil
}

// Prefetch loads the roster rows a batch of inquiries will read in one
// or two queries (see roster.Checker.Prefetch); answers are the same
// without it.
func (e *Eligibility) Prefetch(ctx context.Context, lookup roster.MemberLookup, inqs []EligibilityInquiry) error {
	parties := make([]roster.ClaimParty, 0, len(inqs))
	for i := range inqs {
		parties = append(parties, partyOf(&inqs[i], "", ""))
	}
	return e.checker.Prefetch(ctx, lookup, parties)
}

// partyOf is what the roster checker is asked for an inquiry.
func partyOf(inq *EligibilityInquiry, from, to string) roster.ClaimParty {
	p := roster.ClaimParty{
		MemberID:       strings.TrimSpace(inq.Subscriber.MemberID),
		SubscriberLast: inq.Subscriber.Last, SubscriberFirst: inq.Subscriber.First, SubscriberDOB: inq.Subscriber.DOB,
		Relationship: "18", ServiceFrom: from, ServiceTo: to,
	}
	if inq.Dependent != nil {
		// Any relationship other than self makes the checker look for the
		// patient among the subscriber's dependents.
		p.Relationship = "19"
		p.PatientLast, p.PatientFirst, p.PatientDOB = inq.Dependent.Last, inq.Dependent.First, inq.Dependent.DOB
	}
	return p
}

// Precheck validates what an inquiry says before the roster is read: the
// payer, the member ID, the names, the dates of birth and the plan date.
// When ok is false the answer holds the rejection; otherwise it holds the
// dates asked and the echo of what was sent, and party is the roster
// question. payers empty accepts every payer ID; today is CCYYMMDD.
func Precheck(inq EligibilityInquiry, payers []string, today string, historyMonths int) (a EligibilityAnswer, party roster.ClaimParty, ok bool) {
	s := &inq.Subscriber
	a.Subscriber = Member{MemberID: strings.TrimSpace(s.MemberID), Last: s.Last, First: s.First, DOB: s.DOB, Gender: s.Gender}
	patientLoop := Loop2100C
	if inq.Dependent != nil {
		d := inq.Dependent
		a.Dependent = &Member{Last: d.Last, First: d.First, DOB: d.DOB, Gender: d.Gender}
		patientLoop = Loop2100D
	}
	reject := func(loop, code, msg string) (EligibilityAnswer, roster.ClaimParty, bool) {
		a.Reject = &AAA{Loop: loop, Code: code, Action: ActionCorrect, Message: msg}
		return a, roster.ClaimParty{}, false
	}
	if len(payers) > 0 && !slices.Contains(payers, strings.TrimSpace(inq.PayerID)) {
		return reject(Loop2100A, AAAInvalidPayer, "payer id is not served here")
	}
	from, to, okDate := planDates(inq.Date, today)
	a.From, a.To = from, to
	if a.Subscriber.MemberID == "" {
		return reject(Loop2100C, AAAInvalidMemberID, "subscriber member id is required")
	}
	if inq.Dependent == nil && strings.TrimSpace(s.Last) == "" {
		return reject(Loop2100C, AAAInvalidName, "subscriber last name is required")
	}
	if inq.Dependent != nil && strings.TrimSpace(inq.Dependent.Last) == "" {
		return reject(Loop2100D, AAAInvalidPatientNm, "patient last name is required")
	}
	if s.DOB != "" && !validDate(s.DOB) {
		return reject(Loop2100C, AAAInvalidDOB, "subscriber date of birth is not a valid CCYYMMDD date")
	}
	if inq.Dependent != nil && inq.Dependent.DOB != "" && !validDate(inq.Dependent.DOB) {
		return reject(Loop2100D, AAAInvalidDOB, "patient date of birth is not a valid CCYYMMDD date")
	}
	if !okDate {
		return reject(patientLoop, AAAInvalidDOS, "plan date (DTP*291) is not a valid date or range")
	}
	if from < monthsBefore(today, historyMonths) {
		return reject(patientLoop, AAADOSOutsidePeriod, fmt.Sprintf("plan date is more than %d months back", historyMonths))
	}
	if to > endOfMonth(today) {
		return reject(patientLoop, AAADOSInFuture, "plan date is after the end of the current month")
	}
	dob := s.DOB
	if inq.Dependent != nil {
		dob = inq.Dependent.DOB
	}
	if dob != "" && dob > to {
		return reject(patientLoop, AAADOBAfterDOS, "date of birth follows the plan date")
	}
	return a, partyOf(&inq, from, to), true
}

// Decide turns the roster's decision on a prechecked inquiry into its
// answer: EB*1 per service type when covered on the date asked, EB*6 when
// covered before or after it only, else the AAA of the reason.
func Decide(inq EligibilityInquiry, a EligibilityAnswer, d roster.Decision) EligibilityAnswer {
	a.Reason = d.Reason
	dep := inq.Dependent != nil
	patientLoop := Loop2100C
	if dep {
		patientLoop = Loop2100D
	}
	reject := func(loop, code, msg string) EligibilityAnswer {
		a.Reject = &AAA{Loop: loop, Code: code, Action: ActionCorrect, Message: msg}
		return a
	}
	if d.Subscriber != nil && (d.Reason == roster.ReasonEligible || d.Reason == roster.ReasonNotCoveredOnDOS || dep) {
		a.Subscriber = echo(d.Subscriber, a.Subscriber.MemberID)
	}
	switch d.Reason {
	case roster.ReasonMemberIDMissing:
		return reject(Loop2100C, AAAInvalidMemberID, "subscriber member id is required")
	case roster.ReasonMemberIDSuffix:
		return reject(Loop2100C, AAAInvalidMemberID, "member id differs from an enrolled id by a 2-digit person suffix: send the id exactly as on the card")
	case roster.ReasonMemberIDCase:
		return reject(Loop2100C, AAAInvalidMemberID, "member id matches an enrolled id only when letter case is ignored: send the id exactly as on the card")
	case roster.ReasonMemberNotFound:
		return reject(Loop2100C, AAASubscriberUnknown, "")
	case roster.ReasonSubscriberNameMismatch:
		return reject(Loop2100C, AAAInvalidName, "subscriber name does not match the enrolled name")
	case roster.ReasonSubscriberDOBMismatch:
		return reject(Loop2100C, AAADOBMismatch, "")
	case roster.ReasonPatientNameMismatch:
		if !dep {
			return reject(Loop2100C, AAAInvalidName, "patient name does not match the enrolled name")
		}
		return reject(Loop2100D, AAAPatientUnknown, "")
	case roster.ReasonPatientNotFound:
		return reject(Loop2100D, AAAPatientUnknown, "")
	case roster.ReasonPatientDOBMismatch:
		return reject(Loop2100D, AAADOBMismatch, "")
	case roster.ReasonServiceDateMissing:
		return reject(patientLoop, AAAInvalidDOS, "")
	case roster.ReasonEligible, roster.ReasonNotCoveredOnDOS:
	default:
		return reject(Loop2100A, AAAUnableToRespond, "")
	}
	if d.Families > 1 {
		return reject(Loop2100C, AAADuplicateID, "the identifiers sent match more than one enrolled person")
	}
	m := d.Member
	if m == nil { // the checker names the row it decided on
		return reject(Loop2100A, AAAUnableToRespond, "")
	}
	e := echo(m, a.Subscriber.MemberID)
	if dep {
		if m.Relationship == "18" {
			// A subscriber-only roster covers the dependent under the
			// subscriber: echo the dependent as sent, the dates as enrolled.
			e.Last, e.First, e.Middle, e.DOB, e.Gender = a.Dependent.Last, a.Dependent.First, "", a.Dependent.DOB, a.Dependent.Gender
		}
		e.MemberID = ""
		a.Dependent = &e
	} else {
		a.Subscriber = e
	}
	info := EBActive
	if d.Reason == roster.ReasonNotCoveredOnDOS {
		info = EBInactive
	}
	// A dependent's row may leave the plan to the subscriber's.
	level, itype, plan := m.CoverageLevel, m.InsuranceType, m.Plan
	if s := d.Subscriber; s != nil {
		level, itype, plan = cmp(level, s.CoverageLevel), cmp(itype, s.InsuranceType), cmp(plan, s.Plan)
	}
	for _, st := range serviceTypes(inq.ServiceTypes) {
		b := Benefit{Info: info, ServiceType: st}
		if info == EBActive {
			b.CoverageLevel, b.InsuranceType, b.Plan = level, itype, plan
		}
		a.Benefits = append(a.Benefits, b)
	}
	return a
}

// echo is the 2100C/2100D echo of a roster row: the ID sent (the
// identifier used to find the member), the name and date of birth as
// enrolled, the group number and the eligibility dates.
func echo(m *store.Member, sentID string) Member {
	return Member{MemberID: sentID, Last: m.LastName, First: m.FirstName, Middle: m.Middle, DOB: m.DOB, Gender: m.Gender,
		GroupNumber: m.GroupNumber, EligibilityBegin: m.CoverageStart, EligibilityEnd: m.CoverageEnd}
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// serviceTypes returns the distinct codes asked, or 30.
func serviceTypes(asked []string) []string {
	var out []string
	for _, s := range asked {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = []string{"30"}
	}
	return out
}

// planDates parses DTP*291: "" (today), CCYYMMDD or CCYYMMDD-CCYYMMDD.
func planDates(v, today string) (from, to string, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return today, today, true
	}
	from, to, rng := strings.Cut(v, "-")
	if !rng {
		to = from
	}
	if !validDate(from) || !validDate(to) || to < from {
		return "", "", false
	}
	return from, to, true
}

func validDate(d string) bool {
	_, err := claim.ParseDate(d)
	return err == nil
}

// monthsBefore returns the CCYYMMDD date n months before today.
func monthsBefore(today string, n int) string {
	t, err := claim.ParseDate(today)
	if err != nil {
		return today
	}
	return t.AddDate(0, -n, 0).Format("20060102")
}

// endOfMonth returns the last day of today's month, CCYYMMDD.
func endOfMonth(today string) string {
	t, err := claim.ParseDate(today)
	if err != nil {
		return today
	}
	return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Format("20060102")
}
