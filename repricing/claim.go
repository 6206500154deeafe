package repricing

import (
	"errors"
	"fmt"
)

// ClaimType is the kind of 837: professional or institutional.
type ClaimType byte

// Claim types.
const (
	// Professional is an 837P (005010X222A1) claim.
	Professional ClaimType = 'P'
	// Institutional is an 837I (005010X223A2) claim.
	Institutional ClaimType = 'I'
)

// String returns "P" or "I" ("" for the zero ClaimType).
func (t ClaimType) String() string {
	switch t {
	case Professional:
		return "P"
	case Institutional:
		return "I"
	case 0:
		return ""
	}
	return fmt.Sprintf("ClaimType(%d)", byte(t))
}

// Claim is what the engine needs to know about one 837 claim. It is a plain
// value the caller fills from its own claim model; the engine never keeps or
// modifies it. No member or diagnosis data is needed (TPA names the
// member's administrator, not the member).
type Claim struct {
	// ID is the claim's identifier (CLM01), used only in error messages.
	ID string
	// Type is Professional or Institutional (required).
	Type ClaimType
	// BillingNPI is the 2010AA billing provider NPI, BillingTIN its tax ID
	// (REF*EI, nine digits), PayerID the 2010BB payer ID.
	BillingNPI, BillingTIN, PayerID string
	// TPA is the member's roster TPA, the third-party administrator the
	// member is enrolled under ("SYNTH TPA WEST"); empty when unknown —
	// then rules with a TPA do not match. Compared with Match.TPA ignoring
	// case and surrounding spaces.
	TPA string
	// POS is the claim place of service (837P CLM05-1), used for lines
	// without their own.
	POS string
	// TypeOfBill is the 837I CLM05-1 facility type code followed by the
	// CLM05-3 frequency ("111"); the UB-04 four-digit form "0111" is also
	// accepted. Its first two digits are the facility type that contract
	// bill_type rules and per diem facility-type rates match.
	TypeOfBill string
	// Admission is the 837I admission date (DTP*435); Discharge the last
	// day of the stay (the statement through date of an inpatient claim).
	Admission, Discharge Date
	// StatementFrom and StatementTo are the statement period (837I DTP*434)
	// or, for an 837P, the first and last line service dates.
	StatementFrom, StatementTo Date
	// DRG is the DRG code from HI DR (837I), "" when absent.
	DRG string
	// BilledCents is the total claim charge (CLM02).
	BilledCents int64
	// Lines are the service lines in order.
	Lines []Line
}

// Line is one service line (2400).
type Line struct {
	// No is the line number (LX01), echoed in the result.
	No int
	// ProcedureCode is SV101-2 / SV202-2 ("" when the 837I line has only a
	// revenue code); Modifiers are its modifiers in order (the first four
	// are used).
	ProcedureCode string
	Modifiers     []string
	// RevenueCode is SV201 (837I).
	RevenueCode string
	// POS is SV105 (837P), "" to use the claim's POS.
	POS string
	// Units is the quantity (SV104 / SV205) in thousandths: 1 unit is 1000.
	// Zero means "not sent" and is priced as one unit (reported as an
	// approved-units change).
	Units int64
	// UnitBasis is "UN", "MJ" (minutes) or "DA" (days).
	UnitBasis string
	// ChargeCents is the line charge (SV102 / SV203).
	ChargeCents int64
	// ServiceDate is the line's date of service (DTP*472 from date); zero
	// means the claim's StatementFrom.
	ServiceDate Date
}

// ErrInvalidClaim reports claim input the engine cannot price (wrong type,
// no lines, negative or oversized amounts, impossible dates). The error
// message names the field; it never includes member data.
var ErrInvalidClaim = errors.New("invalid claim")

// validate checks the facts the engine relies on.
func (c *Claim) validate() error {
	if c.Type != Professional && c.Type != Institutional {
		return c.invalid("type %q is not P or I", c.Type)
	}
	if len(c.Lines) == 0 {
		return c.invalid("no lines")
	}
	if c.BilledCents < 0 || c.BilledCents > MaxCents {
		return c.invalid("billed amount %d cents out of range", c.BilledCents)
	}
	for _, d := range [...]Date{c.Admission, c.Discharge, c.StatementFrom, c.StatementTo} {
		if d != 0 && !d.Valid() {
			return c.invalid("date %d is not a valid YYYYMMDD", uint32(d))
		}
	}
	if c.Admission != 0 && c.Discharge != 0 && c.Discharge < c.Admission {
		return c.invalid("discharge %s before admission %s", c.Discharge, c.Admission)
	}
	if c.StatementFrom != 0 && c.StatementTo != 0 && c.StatementTo < c.StatementFrom {
		return c.invalid("statement through %s before statement from %s", c.StatementTo, c.StatementFrom)
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		if l.ChargeCents < 0 || l.ChargeCents > MaxCents {
			return c.invalid("line %d: charge %d cents out of range", l.No, l.ChargeCents)
		}
		if l.Units < 0 || l.Units > MaxUnits {
			return c.invalid("line %d: units %d out of range", l.No, l.Units)
		}
		if l.ServiceDate != 0 && !l.ServiceDate.Valid() {
			return c.invalid("line %d: service date %d is not a valid YYYYMMDD", l.No, uint32(l.ServiceDate))
		}
	}
	return nil
}

func (c *Claim) invalid(format string, args ...any) error {
	return fmt.Errorf("claim %s: %w: %s", c.ID, ErrInvalidClaim, fmt.Sprintf(format, args...))
}

// contractDate is the date that selects the contract: the admission date,
// else StatementFrom, else the earliest line service date (0 if none).
func (c *Claim) contractDate() Date {
	if c.Admission != 0 {
		return c.Admission
	}
	if c.StatementFrom != 0 {
		return c.StatementFrom
	}
	var d Date
	for i := range c.Lines {
		if s := c.Lines[i].ServiceDate; s != 0 && (d == 0 || s < d) {
			d = s
		}
	}
	return d
}

// claimLevelDate is the date claim-level rates (per diem, DRG, case rate)
// are looked up on: Discharge, else StatementTo, else the contract date.
func (c *Claim) claimLevelDate(contract Date) Date {
	if c.Discharge != 0 {
		return c.Discharge
	}
	if c.StatementTo != 0 {
		return c.StatementTo
	}
	return contract
}

// facilityType returns the first two digits of TypeOfBill ("11" from "111"
// or "0111"), "" when absent.
func (c *Claim) facilityType() string {
	t := c.TypeOfBill
	if len(t) == 4 && t[0] == '0' {
		t = t[1:]
	}
	if len(t) < 2 {
		return ""
	}
	return t[:2]
}
