package claimstatus

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/clearinghouse/clearinghouse/edi/internal/outbound"
	"github.com/clearinghouse/clearinghouse/edi/schema"
)

// Errors a FieldError may wrap.
var (
	// ErrMissing means a required value is empty.
	ErrMissing = outbound.ErrMissing
	// ErrInvalid means a value has the wrong length, format or code.
	ErrInvalid = outbound.ErrInvalid
	// ErrEmpty means there is nothing to write: no response, or a
	// response without providers, or a provider without claims or
	// status.
	ErrEmpty = outbound.ErrEmpty
	// ErrTooMany means more values than the 277 can carry.
	ErrTooMany = errors.New("too many values")
)

// FieldError says which input value Write277 refused and why. It names
// the position of the value, never the value itself (names and member IDs
// are PHI).
type FieldError struct {
	// Response, Provider, Claim and Line are 1-based indexes; 0 when not
	// applicable.
	Response, Provider, Claim, Line int
	// Field is the Go field, e.g. "ClaimStatus.StatusDate".
	Field string
	// Element is where the value goes, e.g. "2200D STC02".
	Element string
	// Err is ErrMissing, ErrInvalid, ErrEmpty or ErrTooMany, possibly
	// wrapped with detail.
	Err error
}

// Error describes the position and the problem.
func (e *FieldError) Error() string {
	return outbound.FieldErrorText("claimstatus", []outbound.Position{{Name: "response", Index: e.Response},
		{Name: "provider", Index: e.Provider}, {Name: "claim", Index: e.Claim}, {Name: "line", Index: e.Line}},
		e.Field, e.Element, e.Err)
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// guide277 is the X212 277 table: the code lists Write277 checks against
// are the validator's.
var guide277 = schema.Lookup("277", Version)

// categories are the claim status category codes (code source 507).
var categories = []string{"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "D0", "E0", "E1", "E2", "E3",
	"E4", "F0", "F1", "F2", "F3", "F3F", "F3N", "F4", "F5", "P0", "P1", "P2", "P3", "P4", "P5", "R0", "R1",
	"R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15", "R16", "R17", "RQ"}

// checker collects FieldErrors at the current position.
type checker struct {
	outbound.Checker
	errs                      []error
	resp, prov, claim, lineNo int
}

func newChecker() *checker {
	k := &checker{}
	k.Fail = func(field, elem string, err error) {
		k.errs = append(k.errs, &FieldError{Response: k.resp, Provider: k.prov, Claim: k.claim, Line: k.lineNo,
			Field: field, Element: elem, Err: err})
	}
	return k
}

// check validates the responses and returns every problem found.
func check(rs []Response) []error {
	k := newChecker()
	if len(rs) == 0 {
		k.Fail("responses", "", ErrEmpty)
	}
	for i := range rs {
		k.resp, k.prov, k.claim, k.lineNo = i+1, 0, 0, 0
		checkResponse(k, &rs[i])
	}
	return k.errs
}

func checkResponse(k *checker, r *Response) {
	k.ID("Reference", "BHT03", r.Reference, 1, 50, true)
	k.party("Payer", "2100A", &r.Payer, true)
	k.party("Receiver", "2100B", &r.Receiver, true)
	if r.ReceiverStatus != nil {
		k.level("ReceiverStatus", "2200B", r.ReceiverStatus)
		if len(r.Providers) > 0 {
			k.Fail("Providers", "2000C", fmt.Errorf("%w: a receiver-level status answers nothing below the receiver", ErrInvalid))
		}
		return
	}
	if len(r.Providers) == 0 {
		k.Fail("Providers", "2000C", ErrEmpty)
	}
	for pi := range r.Providers {
		p := &r.Providers[pi]
		k.prov, k.claim, k.lineNo = pi+1, 0, 0
		k.party("Provider", "2100C", &p.Party, true)
		if (p.IDQualifier == "" || p.IDQualifier == "XX") && p.ID != "" && !schema.ValidNPI(p.ID) {
			k.Fail("Provider.ID", "2100C NM109", fmt.Errorf("%w: not an NPI (10 digits, check digit)", ErrInvalid))
		}
		if p.Status != nil {
			k.level("Provider.Status", "2200C", p.Status)
		} else if len(p.Claims) == 0 {
			k.Fail("Provider.Claims", "2000D", ErrEmpty)
		}
		for ci := range p.Claims {
			k.claim, k.lineNo = ci+1, 0
			checkClaim(k, &p.Claims[ci])
		}
	}
}

// party checks an NM1 against the guide's codes for its loop.
func (k *checker) party(field, loop string, p *Party, idRequired bool) {
	nm := loop + " NM1"
	k.Code(field+".EntityType", nm+"02", p.EntityType, guide277.Codes(loop, "NM1", 2))
	k.Text(field+".Last", nm+"03", p.Last, 1, 60, loop != "2100C")
	k.Text(field+".First", nm+"04", p.First, 1, 35, false)
	k.Text(field+".Middle", nm+"05", p.Middle, 1, 25, false)
	k.Text(field+".Suffix", nm+"07", p.Suffix, 1, 10, false)
	k.Code(field+".IDQualifier", nm+"08", p.IDQualifier, guide277.Codes(loop, "NM1", 8))
	k.ID(field+".ID", nm+"09", p.ID, 2, 80, idRequired)
}

func (k *checker) statuses(field, elem string, ss []Status, max int) {
	switch {
	case len(ss) == 0:
		k.Fail(field, elem+" STC01", ErrMissing)
	case max > 0 && len(ss) > max:
		k.Fail(field, elem+" STC", fmt.Errorf("%w: at most %d", ErrTooMany, max))
	}
	for i, s := range ss {
		f := field + "[" + strconv.Itoa(i) + "]"
		k.Text(f+".Category", elem+" STC", s.Category, 1, 30, true)
		k.Code(f+".Category", elem+" STC", s.Category, categories)
		k.ID(f+".Code", elem+" STC", s.Code, 1, 30, true)
		k.ID(f+".Entity", elem+" STC", s.Entity, 2, 3, false)
	}
}

func (k *checker) level(field, loop string, l *LevelStatus) {
	k.ID(field+".Trace", loop+" TRN02", l.Trace, 1, 50, true)
	k.statuses(field+".Statuses", loop, l.Statuses, 3)
	k.Date(field+".Date", loop+" STC02", l.Date, true)
}

func checkClaim(k *checker, c *ClaimStatus) {
	k.party("ClaimStatus.Subscriber", "2100D", &c.Subscriber, true)
	loop := "2200D"
	if c.Dependent != nil {
		loop = "2200E"
		k.Code("ClaimStatus.Dependent.EntityType", "2100E NM102", c.Dependent.EntityType, []string{"1"})
		k.Text("ClaimStatus.Dependent.Last", "2100E NM103", c.Dependent.Last, 1, 60, true)
		k.Text("ClaimStatus.Dependent.First", "2100E NM104", c.Dependent.First, 1, 35, false)
		k.Text("ClaimStatus.Dependent.Middle", "2100E NM105", c.Dependent.Middle, 1, 25, false)
		k.Text("ClaimStatus.Dependent.Suffix", "2100E NM107", c.Dependent.Suffix, 1, 10, false)
		if c.Dependent.ID != "" || c.Dependent.IDQualifier != "" {
			k.Fail("ClaimStatus.Dependent.ID", "2100E NM109", fmt.Errorf("%w: the dependent level has no ID", ErrInvalid))
		}
	}
	k.ID("ClaimStatus.Trace", loop+" TRN02", c.Trace, 1, 50, true)
	k.statuses("ClaimStatus.Statuses", loop, c.Statuses, 0)
	k.Date("ClaimStatus.StatusDate", loop+" STC02", c.StatusDate, true)
	if c.HasCharge {
		k.Amount("ClaimStatus.ChargeCents", loop+" STC04", c.ChargeCents)
	}
	if c.HasPaid {
		k.Amount("ClaimStatus.PaidCents", loop+" STC05", c.PaidCents)
	}
	k.Date("ClaimStatus.AdjudicationDate", loop+" STC06", c.AdjudicationDate, false)
	k.Date("ClaimStatus.CheckDate", loop+" STC08", c.CheckDate, false)
	k.ID("ClaimStatus.CheckNumber", loop+" STC09", c.CheckNumber, 1, 16, false)
	k.ID("ClaimStatus.PayerClaimControlNumber", loop+" REF*1K", c.PayerClaimControlNumber, 1, 50, false)
	k.ID("ClaimStatus.PatientControlNumber", loop+" REF*EJ", c.PatientControlNumber, 1, 50, false)
	k.ID("ClaimStatus.BillType", loop+" REF*BLT", c.BillType, 1, 50, false)
	k.ID("ClaimStatus.ClearinghouseTrace", loop+" REF*D9", c.ClearinghouseTrace, 1, 50, false)
	k.Period("ClaimStatus.Service", loop+" DTP*472", c.ServiceFrom, c.ServiceTo, false)
	lineLoop := "2220" + loop[len(loop)-1:]
	for li := range c.Lines {
		k.lineNo = li + 1
		checkLine(k, lineLoop, &c.Lines[li])
	}
	k.lineNo = 0
}

func checkLine(k *checker, loop string, l *LineStatus) {
	switch {
	case l.Procedure != "":
		parts := procedureParts(l.Procedure)
		if len(parts) > 6 {
			k.Fail("LineStatus.Procedure", loop+" SVC01", fmt.Errorf("%w: more than four modifiers", ErrInvalid))
		}
		k.Code("LineStatus.Procedure", loop+" SVC01-1", parts[0], guide277.CompCodes(loop, "SVC", 1, 1))
		k.ID("LineStatus.Procedure", loop+" SVC01-1", parts[0], 2, 2, true)
		k.ID("LineStatus.Procedure", loop+" SVC01-2", parts[1], 1, 48, true)
		for _, m := range parts[2:min(len(parts), 6)] {
			k.ID("LineStatus.Procedure", loop+" SVC01-3..6", m, 2, 2, true)
		}
		k.ID("LineStatus.RevenueCode", loop+" SVC04", l.RevenueCode, 1, 48, false)
	case l.RevenueCode != "":
		k.ID("LineStatus.RevenueCode", loop+" SVC01-2", l.RevenueCode, 1, 48, true)
	default:
		k.Fail("LineStatus.Procedure", loop+" SVC01", ErrMissing)
	}
	k.Amount("LineStatus.ChargeCents", loop+" SVC02", l.ChargeCents)
	k.Amount("LineStatus.PaidCents", loop+" SVC03", l.PaidCents)
	if l.Units <= 0 {
		k.Fail("LineStatus.Units", loop+" SVC07", fmt.Errorf("%w: units of service must be positive", ErrMissing))
	}
	k.statuses("LineStatus.Statuses", loop, l.Statuses, 0)
	k.Date("LineStatus.StatusDate", loop+" STC02", l.StatusDate, true)
	k.ID("LineStatus.ControlNumber", loop+" REF*FJ", l.ControlNumber, 1, 50, false)
	k.Period("LineStatus.Service", loop+" DTP*472", l.ServiceFrom, l.ServiceTo, true)
}
