package status277

import (
	"errors"
	"fmt"

	"github.com/clearinghouse/clearinghouse/edi/internal/outbound"
)

// Errors a FieldError may wrap.
var (
	// ErrMissing means a required value is empty.
	ErrMissing = outbound.ErrMissing
	// ErrInvalid means a value has the wrong length, format or code.
	ErrInvalid = outbound.ErrInvalid
	// ErrTooMany means more values than the 277CA can carry (more than
	// three statuses on a line).
	ErrTooMany = errors.New("too many values")
	// ErrEmpty means there is nothing to acknowledge: no acknowledgment,
	// or an acknowledgment without providers, or a provider without
	// claims.
	ErrEmpty = errors.New("nothing to acknowledge")
)

// FieldError says which input value Write refused and why. It names the
// position of the value, never the value itself (names and member IDs are
// PHI).
type FieldError struct {
	// Ack, Provider, Claim and Line are 1-based indexes of the
	// acknowledgment, provider, claim and line; 0 when not applicable.
	Ack, Provider, Claim, Line int
	// Field is the Go field, e.g. "Claim.ServiceFrom".
	Field string
	// Element is where the value goes, e.g. "2200D DTP03".
	Element string
	// Err is ErrMissing, ErrInvalid, ErrTooMany or ErrEmpty, possibly
	// wrapped with detail.
	Err error
}

// Error describes the position and the problem.
func (e *FieldError) Error() string {
	return outbound.FieldErrorText("status277", []outbound.Position{{Name: "acknowledgment", Index: e.Ack},
		{Name: "provider", Index: e.Provider}, {Name: "claim", Index: e.Claim}, {Name: "line", Index: e.Line}},
		e.Field, e.Element, e.Err)
}

// Unwrap returns the cause.
func (e *FieldError) Unwrap() error { return e.Err }

// Code lists the writer checks (stricter than the guide where noted).
var (
	// categories are the status categories Write accepts: the
	// acknowledgment categories of a batch 277CA.
	categories = []string{"A0", "A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"}
	// acceptCategories may open the statuses of an accepted claim,
	// rejectCategories those of a rejected claim or line.
	acceptCategories = []string{"A0", "A1", "A2", "A5"}
	rejectCategories = []string{"A3", "A4", "A6", "A7", "A8"}
	// claimEntities are the entity codes the guide allows in STC01-3 of
	// 2200D and 2220D.
	claimEntities = []string{"03", "1P", "1Z", "40", "41", "71", "72", "73", "77", "82", "85", "87",
		"DK", "DN", "DQ", "FA", "GB", "HK", "IL", "LI", "MSC", "PR", "PRP", "QB", "QC", "QD", "SEP",
		"TL", "TTP", "TU"}
	procQualifiers  = []string{"AD", "ER", "HC", "HP", "IV", "NU", "WK"}
	sourceEntities  = []string{SourceClearinghouse, SourcePayer}
	sourceIDQuals   = []string{"46", "FI", "PI", "XV"}
	providerIDQuals = []string{"FI", "SV", "XX"}
	patientIDQuals  = []string{"II", "MI"}
)

// checker collects FieldErrors at the current position; the value checks
// are those of the shared outbound writers.
type checker struct {
	outbound.Checker
	errs                 []error
	ack, prov, clm, line int
	// list and item, when list is set, prefix the field of a failure:
	// "list[item]" (built only on failure).
	list string
	item int
}

func newChecker() *checker {
	k := &checker{}
	k.Fail = k.fail
	return k
}

func (k *checker) fail(field, elem string, err error) {
	if k.list != "" {
		field = fmt.Sprintf("%s[%d]", k.list, k.item) + field
	}
	k.errs = append(k.errs, &FieldError{Ack: k.ack, Provider: k.prov, Claim: k.clm, Line: k.line,
		Field: field, Element: elem, Err: err})
}

// statuses checks status composites that fill STC segments three at a
// time: the first of each segment is STC01, whose entity code is limited
// to claimEntities; first lists the categories the very first status may
// have.
func (k *checker) statuses(field, elem string, ss []Status, first []string) {
	defer func() { k.list = "" }()
	for i, s := range ss {
		k.list, k.item = field, i
		k.Text(".Category", elem, s.Category, 1, 30, true)
		k.Code(".Category", elem, s.Category, categories)
		if i == 0 {
			k.Code(".Category", elem, s.Category, first)
		}
		k.Text(".Code", elem, s.Code, 1, 30, true)
		k.Text(".Entity", elem, s.Entity, 2, 3, false)
		if i%3 == 0 {
			k.Code(".Entity", elem, s.Entity, claimEntities)
		}
	}
}

// check validates the acknowledgments and returns every problem found.
func check(acks []Acknowledgment) error {
	if len(acks) == 0 {
		return &FieldError{Field: "acks", Err: ErrEmpty}
	}
	k := newChecker()
	for ai := range acks {
		k.ack, k.prov, k.clm, k.line = ai+1, 0, 0, 0
		checkAck(k, &acks[ai])
	}
	return errors.Join(k.errs...)
}

func checkAck(k *checker, a *Acknowledgment) {
	k.Code("Source.EntityCode", "2100A NM101", a.Source.EntityCode, sourceEntities)
	k.Text("Source.Name", "2100A NM103", a.Source.Name, 1, 60, true)
	k.Code("Source.IDQualifier", "2100A NM108", a.Source.IDQualifier, sourceIDQuals)
	k.Text("Source.ID", "2100A NM109", a.Source.ID, 2, 80, true)
	k.Text("Receiver.Name", "2100B NM103", a.Receiver.Name, 1, 60, true)
	k.Text("Receiver.ETIN", "2100B NM109", a.Receiver.ETIN, 2, 80, true)
	k.Text("SourceTrace", "2200A TRN02, BHT03", a.SourceTrace, 1, 50, true)
	k.Text("ReceiverTrace", "2200B TRN02", a.ReceiverTrace, 1, 50, true)
	k.Date("ReceiptDate", "2200A DTP*050", a.ReceiptDate, true)
	k.Date("ProcessDate", "2200A DTP*009", a.ProcessDate, true)
	if len(a.Providers) == 0 {
		k.fail("Providers", "2000C", ErrEmpty)
	}
	for pi := range a.Providers {
		p := &a.Providers[pi]
		k.prov, k.clm, k.line = pi+1, 0, 0
		k.Text("Provider.Name", "2100C NM103", p.Name, 1, 60, true)
		k.Code("Provider.IDQualifier", "2100C NM108", p.IDQualifier, providerIDQuals)
		k.Text("Provider.ID", "2100C NM109", p.ID, 2, 80, true)
		k.Text("Provider.Trace", "2200C TRN02", p.Trace, 1, 50, false)
		if len(p.Claims) == 0 {
			k.fail("Provider.Claims", "2000D", ErrEmpty)
		}
		for ci := range p.Claims {
			k.clm, k.line = ci+1, 0
			checkClaim(k, &p.Claims[ci])
		}
	}
}

func checkClaim(k *checker, c *Claim) {
	k.Text("Claim.PatientControlNumber", "2200D TRN02", c.PatientControlNumber, 1, 50, true)
	first := acceptCategories
	if !c.Accepted {
		first = rejectCategories
		if len(c.Statuses) == 0 {
			k.fail("Claim.Statuses", "2200D STC01", ErrMissing)
		}
	}
	k.statuses("Claim.Statuses", "2200D STC", c.Statuses, first)
	k.Amount("Claim.ChargeCents", "2200D STC04", c.ChargeCents)
	k.Text("Claim.PayerClaimControlNumber", "2200D REF*1K", c.PayerClaimControlNumber, 1, 50, false)
	k.Text("Claim.ClearinghouseTrace", "2200D REF*D9", c.ClearinghouseTrace, 1, 50, false)
	k.Text("Claim.BillType", "2200D REF*BLT", c.BillType, 1, 50, false)
	k.Period("Claim.Service", "2200D DTP*472", c.ServiceFrom, c.ServiceTo, true)
	pt := &c.Patient
	k.Text("Claim.Patient.Last", "2100D NM103", pt.Last, 1, 60, true)
	k.Text("Claim.Patient.First", "2100D NM104", pt.First, 1, 35, false)
	k.Text("Claim.Patient.Middle", "2100D NM105", pt.Middle, 1, 25, false)
	k.Code("Claim.Patient.IDQualifier", "2100D NM108", pt.IDQualifier, patientIDQuals)
	k.Text("Claim.Patient.ID", "2100D NM109", pt.ID, 2, 80, true)
	for li := range c.Lines {
		k.line = li + 1
		checkLine(k, &c.Lines[li])
	}
	k.line = 0
}

func checkLine(k *checker, l *Line) {
	k.Text("Line.ControlNumber", "2220D REF*FJ", l.ControlNumber, 1, 50, false)
	switch {
	case l.Procedure != "":
		parts := procedureParts(l.Procedure)
		if len(parts) > 6 {
			k.fail("Line.Procedure", "2220D SVC01", fmt.Errorf("%w: more than four modifiers", ErrInvalid))
		}
		k.Text("Line.Procedure", "2220D SVC01-1", parts[0], 2, 2, true)
		k.Code("Line.Procedure", "2220D SVC01-1", parts[0], procQualifiers)
		k.Text("Line.Procedure", "2220D SVC01-2", parts[1], 1, 48, true)
		for _, m := range parts[2:min(len(parts), 6)] {
			k.Text("Line.Procedure", "2220D SVC01-3..6", m, 2, 2, true)
		}
		k.Text("Line.RevenueCode", "2220D SVC04", l.RevenueCode, 1, 48, false)
	case l.RevenueCode != "":
		k.Text("Line.RevenueCode", "2220D SVC01-2", l.RevenueCode, 1, 48, true)
	default:
		k.fail("Line.Procedure", "2220D SVC01", ErrMissing)
	}
	k.Amount("Line.ChargeCents", "2220D SVC02", l.ChargeCents)
	if l.Units < 0 {
		k.fail("Line.Units", "2220D SVC07", fmt.Errorf("%w: negative", ErrInvalid))
	}
	k.Period("Line.Service", "2220D DTP*472", l.ServiceFrom, l.ServiceTo, false)
	switch {
	case len(l.Statuses) == 0:
		k.fail("Line.Statuses", "2220D STC01", ErrMissing)
	case len(l.Statuses) > 3:
		k.fail("Line.Statuses", "2220D STC", fmt.Errorf("%w: a line carries at most three statuses", ErrTooMany))
	}
	k.statuses("Line.Statuses", "2220D STC", l.Statuses, rejectCategories)
}
