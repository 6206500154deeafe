package eligibility

import (
	"fmt"
	"strconv"

	"github.com/clearinghouse/clearinghouse/edi/internal/outbound"
	"github.com/clearinghouse/clearinghouse/edi/schema"
)

// Limits of the 271.
const (
	maxServiceTypes = 99 // EB03 repetitions
	maxTraces       = 3  // TRN per subscriber or dependent level
	maxRejects      = 9  // AAA per loop
	maxRefs         = 9  // REF per 2100 loop
	maxMemberDates  = 9  // DTP per 2100 loop
	maxBenefitDates = 20 // DTP per 2110 loop
	maxMessages     = 10 // MSG per 2110 loop
)

// checker collects FieldErrors for one response.
type checker struct {
	outbound.Checker
	errs []error
	resp int
}

func newChecker() *checker {
	k := &checker{}
	k.Fail = func(field, elem string, err error) {
		k.errs = append(k.errs, &FieldError{Response: k.resp, Field: field, Element: elem, Err: err})
	}
	return k
}

// codes returns the guide's code list for an element of the 271.
func codes(loop, seg string, elem int) []string { return guide271.Codes(loop, seg, elem) }

// check validates the responses and returns every problem found.
func check(rs []Response) []error {
	k := newChecker()
	if len(rs) == 0 {
		k.Fail("responses", "", ErrEmpty)
	}
	for i := range rs {
		k.resp = i + 1
		checkResponse(k, &rs[i])
	}
	return k.errs
}

func checkResponse(k *checker, r *Response) {
	k.ID("Reference", "BHT03", r.Reference, 1, 50, false)
	k.party("Source", "2100A", &r.Source, true)
	k.Code("Source.EntityType", "2100A NM102", r.Source.EntityType, []string{"1", "2"})
	k.rejects("SourceRejects", "2100A", r.SourceRejects, codes("2100A", "AAA", 4))
	if len(r.SourceRejects) > 0 {
		if r.Subscriber != nil || r.Dependent != nil || len(r.ReceiverRejects) > 0 {
			k.Fail("SourceRejects", "2100A AAA", fmt.Errorf("%w: a source rejection answers nothing below the source", ErrConflict))
		}
		return
	}
	k.party("Receiver", "2100B", &r.Receiver, true)
	if r.Receiver.IDQualifier == "" || r.Receiver.IDQualifier == "XX" {
		if r.Receiver.ID != "" && !schema.ValidNPI(r.Receiver.ID) {
			k.Fail("Receiver.ID", "2100B NM109", fmt.Errorf("%w: not an NPI (10 digits, check digit)", ErrInvalid))
		}
	}
	k.rejects("ReceiverRejects", "2100B", r.ReceiverRejects, codes("2100B", "AAA", 4))
	if len(r.ReceiverRejects) > 0 {
		if r.Subscriber != nil || r.Dependent != nil {
			k.Fail("ReceiverRejects", "2100B AAA", fmt.Errorf("%w: a receiver rejection answers nothing below the receiver", ErrConflict))
		}
		return
	}
	if r.Subscriber == nil {
		k.Fail("Subscriber", "2000C", ErrMissing)
		return
	}
	k.subject("Subscriber", "C", r.Subscriber)
	if r.Dependent != nil {
		k.subject("Dependent", "D", r.Dependent)
	}
}

// party checks an NM1 of the source or receiver (whose name and ID the
// guide requires).
func (k *checker) party(field, loop string, p *Party, required bool) {
	nm := loop + " NM1"
	k.Code(field+".EntityCode", nm+"01", p.EntityCode, codes(loop, "NM1", 1))
	k.Text(field+".Last", nm+"03", p.Last, 1, 60, required)
	k.Text(field+".First", nm+"04", p.First, 1, 35, false)
	k.Text(field+".Middle", nm+"05", p.Middle, 1, 25, false)
	k.Text(field+".Suffix", nm+"07", p.Suffix, 1, 10, false)
	k.Code(field+".IDQualifier", nm+"08", p.IDQualifier, codes(loop, "NM1", 8))
	k.ID(field+".ID", nm+"09", p.ID, 2, 80, required)
	if p.ID == "" && p.IDQualifier != "" {
		k.Fail(field+".ID", nm+"09", fmt.Errorf("%w: NM108 without NM109", ErrMissing))
	}
}

func (k *checker) rejects(field, loop string, rr []Reject, actions []string) {
	if len(rr) > maxRejects {
		k.Fail(field, loop+" AAA", fmt.Errorf("%w: at most %d", ErrTooMany, maxRejects))
	}
	reasons := codes(loop, "AAA", 3)
	for i, r := range rr {
		f := field + "[" + strconv.Itoa(i) + "]"
		k.Text(f+".Code", loop+" AAA03", r.Code, 2, 2, true)
		k.Code(f+".Code", loop+" AAA03", r.Code, reasons)
		k.Code(f+".Action", loop+" AAA04", r.Action, actions)
	}
}

func (k *checker) dates(field, loop string, ds []Date, max int) {
	if len(ds) > max {
		k.Fail(field, loop+" DTP", fmt.Errorf("%w: at most %d", ErrTooMany, max))
	}
	quals := codes(loop, "DTP", 1)
	for i, d := range ds {
		f := field + "[" + strconv.Itoa(i) + "]"
		k.Text(f+".Qualifier", loop+" DTP01", d.Qualifier, 3, 3, true)
		k.Code(f+".Qualifier", loop+" DTP01", d.Qualifier, quals)
		k.Period(f+".", loop+" DTP03", d.From, d.To, true)
	}
}

// subject checks the subscriber (suffix C) or dependent (D) level.
func (k *checker) subject(field, suffix string, s *Subject) {
	name, benefit := "2100"+suffix, "2110"+suffix
	nm := name + " NM1"
	k.Code(field+".EntityCode", nm+"01", s.EntityCode, codes(name, "NM1", 1))
	k.Code(field+".EntityType", nm+"02", s.EntityType, codes(name, "NM1", 2))
	k.Text(field+".Last", nm+"03", s.Last, 1, 60, false)
	k.Text(field+".First", nm+"04", s.First, 1, 35, false)
	k.Text(field+".Middle", nm+"05", s.Middle, 1, 25, false)
	k.Text(field+".Suffix", nm+"07", s.Suffix, 1, 10, false)
	if suffix == "D" {
		if s.ID != "" || s.IDQualifier != "" {
			k.Fail(field+".ID", nm+"09", fmt.Errorf("%w: the dependent level has no member ID (use Refs)", ErrInvalid))
		}
	} else {
		k.Code(field+".IDQualifier", nm+"08", s.IDQualifier, codes(name, "NM1", 8))
		k.ID(field+".ID", nm+"09", s.ID, 2, 80, s.IDQualifier != "")
	}
	if len(s.Traces) > maxTraces {
		k.Fail(field+".Traces", "TRN", fmt.Errorf("%w: at most %d", ErrTooMany, maxTraces))
	}
	for i, t := range s.Traces {
		f := field + ".Traces[" + strconv.Itoa(i) + "]"
		k.Code(f+".Type", "TRN01", t.Type, []string{"1", "2"})
		k.Text(f+".Type", "TRN01", t.Type, 1, 1, true)
		k.ID(f+".Number", "TRN02", t.Number, 1, 50, true)
		k.ID(f+".Originator", "TRN03", t.Originator, 10, 10, true)
		k.ID(f+".Secondary", "TRN04", t.Secondary, 1, 50, false)
	}
	if len(s.Refs) > maxRefs {
		k.Fail(field+".Refs", name+" REF", fmt.Errorf("%w: at most %d", ErrTooMany, maxRefs))
	}
	for i, r := range s.Refs {
		f := field + ".Refs[" + strconv.Itoa(i) + "]"
		k.Text(f+".Qualifier", name+" REF01", r.Qualifier, 2, 3, true)
		k.Code(f+".Qualifier", name+" REF01", r.Qualifier, codes(name, "REF", 1))
		k.ID(f+".Value", name+" REF02", r.Value, 1, 50, true)
		k.Text(f+".Description", name+" REF03", r.Description, 1, 80, false)
	}
	k.Date(field+".BirthDate", name+" DMG02", s.BirthDate, s.Gender != "")
	k.Code(field+".Gender", name+" DMG03", s.Gender, codes(name, "DMG", 3))
	k.dates(field+".Dates", name, s.Dates, maxMemberDates)
	k.rejects(field+".Rejects", name, s.Rejects, codes(name, "AAA", 4))
	if len(s.Rejects) > 0 && len(s.Benefits) > 0 {
		k.Fail(field+".Benefits", benefit+" EB", fmt.Errorf("%w: a rejected level carries no benefits", ErrConflict))
	}
	for i := range s.Benefits {
		k.benefit(field+".Benefits["+strconv.Itoa(i)+"]", benefit, &s.Benefits[i])
	}
}

func (k *checker) benefit(f, loop string, b *Benefit) {
	eb := loop + " EB"
	k.Text(f+".Code", eb+"01", b.Code, 1, 2, true)
	k.Code(f+".Code", eb+"01", b.Code, codes(loop, "EB", 1))
	k.Code(f+".CoverageLevel", eb+"02", b.CoverageLevel, codes(loop, "EB", 2))
	if len(b.ServiceTypes) > maxServiceTypes {
		k.Fail(f+".ServiceTypes", eb+"03", fmt.Errorf("%w: at most %d", ErrTooMany, maxServiceTypes))
	}
	for i, st := range b.ServiceTypes {
		sf := f + ".ServiceTypes[" + strconv.Itoa(i) + "]"
		k.Text(sf, eb+"03", st, 1, 2, true)
		k.Code(sf, eb+"03", st, codes(loop, "EB", 3))
	}
	k.Code(f+".InsuranceType", eb+"04", b.InsuranceType, codes(loop, "EB", 4))
	k.Text(f+".PlanDescription", eb+"05", b.PlanDescription, 1, 50, false)
	k.Code(f+".TimePeriod", eb+"06", b.TimePeriod, codes(loop, "EB", 6))
	if b.HasAmount {
		k.Amount(f+".AmountCents", eb+"07", b.AmountCents)
	}
	if b.Percent != "" && !isFraction(b.Percent) {
		k.Fail(f+".Percent", eb+"08", fmt.Errorf("%w: a decimal fraction from 0 to 1, such as .2", ErrInvalid))
	}
	k.Code(f+".QuantityQualifier", eb+"09", b.QuantityQualifier, codes(loop, "EB", 9))
	if (b.QuantityQualifier == "") != (b.Quantity == "") {
		k.Fail(f+".Quantity", eb+"09/EB10", fmt.Errorf("%w: qualifier and quantity go together", ErrMissing))
	}
	if d, ok := decimalDigits(b.Quantity); b.Quantity != "" && (!ok || d > 15) {
		k.Fail(f+".Quantity", eb+"10", fmt.Errorf("%w: not a number of at most 15 digits", ErrInvalid))
	}
	k.Code(f+".AuthorizationRequired", eb+"11", b.AuthorizationRequired, codes(loop, "EB", 11))
	k.Code(f+".InNetwork", eb+"12", b.InNetwork, codes(loop, "EB", 12))
	k.dates(f+".Dates", loop, b.Dates, maxBenefitDates)
	k.rejects(f+".Rejects", loop, b.Rejects, codes(loop, "AAA", 4))
	if len(b.Messages) > maxMessages {
		k.Fail(f+".Messages", loop+" MSG", fmt.Errorf("%w: at most %d", ErrTooMany, maxMessages))
	}
	for i, m := range b.Messages {
		k.Text(f+".Messages["+strconv.Itoa(i)+"]", loop+" MSG01", m, 1, 264, true)
	}
}

// decimalDigits returns the digit count of v, a non-negative X12 decimal
// number (digits and at most one point, no sign or exponent), and whether
// it is one.
func decimalDigits(v string) (int, bool) {
	dot, digits := false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	return digits, digits > 0
}

// isFraction reports whether v is a decimal number from 0 to 1 of at
// most 10 digits (EB08).
func isFraction(v string) bool {
	d, ok := decimalDigits(v)
	f, err := strconv.ParseFloat(v, 64)
	return ok && d <= 10 && err == nil && f <= 1
}
