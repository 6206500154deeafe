package eligibility

// Reject is a request validation (AAA) the 271 sends when it cannot
// answer: AAA*N**<Code>*<Action>.
type Reject struct {
	// Code is AAA03, the reject reason; the codes allowed depend on the
	// level (see the package documentation), e.g. 79 invalid participant
	// identification (source), 51 provider not on file (receiver), 72
	// invalid member ID, 73 invalid subscriber name, 75 subscriber not
	// found, 58 invalid date of birth (subscriber), 77 subscriber found,
	// patient not found (dependent).
	Code string
	// Action is AAA04, the follow-up action: C correct and resubmit
	// (default), N resubmission not allowed, R resubmission allowed, W
	// wait 30 days, X wait 10 days, Y do not resubmit, we will respond
	// (P and S at the source level only).
	Action string
}

// Benefit is one eligibility or benefit information loop (2110C/2110D):
// the EB segment and what follows it.
type Benefit struct {
	// Code is EB01: 1 active coverage, 6 inactive, A co-insurance, B
	// co-payment, C deductible, G out of pocket, ...
	Code string
	// CoverageLevel is EB02: IND, FAM, EMP, ESP, ECH, CHD, DEP, SPC, SPO.
	CoverageLevel string
	// ServiceTypes are EB03 (repeated), e.g. 30 health benefit plan
	// coverage.
	ServiceTypes []string
	// InsuranceType is EB04, e.g. C1 commercial, PR PPO, HM HMO.
	InsuranceType string
	// PlanDescription is EB05.
	PlanDescription string
	// TimePeriod is EB06, e.g. 23 calendar year, 29 remaining.
	TimePeriod string
	// AmountCents is EB07 (copay, deductible, out-of-pocket amounts);
	// written when HasAmount is set.
	AmountCents int64
	HasAmount   bool
	// Percent is EB08, a decimal fraction such as ".2" for 20%.
	Percent string
	// QuantityQualifier and Quantity are EB09/EB10 (VS visits, DY days).
	QuantityQualifier, Quantity string
	// AuthorizationRequired is EB11 and InNetwork EB12 (Y, N, U; W for
	// EB12 not applicable).
	AuthorizationRequired, InNetwork string
	// Dates are the benefit's DTP segments (2110), e.g. 346/347 plan
	// begin/end, 356/357 eligibility begin/end.
	Dates []Date
	// Rejects are the 2110 AAA segments.
	Rejects []Reject
	// Messages are MSG free-form texts (at most 10, 264 characters each).
	Messages []string
}

// Subject is the member a 271 answers about: the subscriber (2000C) or
// the dependent (2000D).
type Subject struct {
	// Party is the NM1: the identifiers used to find the member, echoed.
	// A dependent has no ID (2100D NM108/NM109 are not used: its
	// identifiers go in Refs). EntityCode defaults to IL (subscriber) or
	// 03 (dependent), EntityType to 1, IDQualifier to MI when ID is set.
	Party
	// Traces are the level's TRN segments (at most 3): TRN*2 echoing each
	// TRN*1 of the 270 (see EchoTraces), optionally a TRN*1 of our own.
	Traces []Trace
	// Refs are 2100 REF segments (e.g. 6P group number, 1L group or
	// policy number, SY social security number).
	Refs []Ref
	// BirthDate (CCYYMMDD) and Gender (F, M, U) are the DMG.
	BirthDate, Gender string
	// Dates are the 2100 DTP segments: 346/347 plan begin/end, 356/357
	// eligibility begin/end, 291 plan, 307 eligibility.
	Dates []Date
	// Rejects are the 2100 AAA segments: the member could not be
	// answered for. A level with rejects has no benefits.
	Rejects []Reject
	// Benefits are the 2110 loops.
	Benefits []Benefit
}

// Response is one 271 transaction set: the answer to one inquiry.
type Response struct {
	// Reference is BHT03, typically the 270's BHT03 echoed.
	Reference string
	// Source is the information source (2100A), usually the payer:
	// EntityCode defaults to PR, EntityType to 2, IDQualifier to PI.
	Source Party
	// SourceRejects are 2100A AAA segments: the source cannot answer at
	// all (e.g. 79 invalid participant identification, 42 unable to
	// respond now). With them, nothing else is written.
	SourceRejects []Reject
	// Receiver is the information receiver (2100B), the provider who
	// asked: EntityCode defaults to 1P, EntityType to 2 (1 when First is
	// set), IDQualifier to XX (an NPI, check digit verified).
	Receiver Party
	// ReceiverRejects are 2100B AAA segments (e.g. 51 provider not on
	// file). With them, no subscriber level is written.
	ReceiverRejects []Reject
	// Subscriber is the subscriber level, required unless the source or
	// receiver rejects.
	Subscriber *Subject
	// Dependent is the dependent level, when the inquiry was about a
	// dependent.
	Dependent *Subject
}

// EchoTraces returns the inquiry's TRN*1 traces as the TRN*2 a 271
// sends back: the same number and originator, type 2.
func EchoTraces(ts []Trace) []Trace {
	out := make([]Trace, 0, len(ts))
	for _, t := range ts {
		if t.Type == "1" {
			t.Type = "2"
			out = append(out, t)
		}
	}
	return out
}

// Echo returns the 271 level answering m: the identifiers the inquiry
// used to find the member (NM1 name and ID, REF, DMG) and its TRN*1
// traces as TRN*2, the guide asks the response to send back. Benefits,
// rejections and dates are the caller's to add.
func (m *Member) Echo() *Subject {
	return &Subject{
		Party:     m.Party,
		Traces:    EchoTraces(m.Traces),
		Refs:      append([]Ref(nil), m.Refs...),
		BirthDate: m.BirthDate,
		Gender:    m.Gender,
	}
}
