package repricing

import (
	"cmp"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Method is how a contract prices a claim.
type Method uint8

// Pricing methods. LesserOfFee, PercentOfCharges and RBRVS price each line
// (the claim total is the sum of the lines); PerDiem, DRG and CaseRate
// price the whole claim.
const (
	// LesserOfFee: line allowed = min(charge, fee × units); HCP01 02.
	LesserOfFee Method = iota + 1
	// PercentOfCharges: line allowed = charge × Percent; HCP01 03.
	PercentOfCharges
	// RBRVS: line allowed = min(charge, RVU formula × CF × units ×
	// RBRVSPercent); HCP01 02.
	RBRVS
	// PerDiem: claim allowed = daily rate × covered days; HCP01 06; 837I
	// only.
	PerDiem
	// DRG: claim allowed = relative weight × BaseRateCents; HCP01
	// Config.DRGMethodCode (07); 837I only.
	DRG
	// CaseRate: claim allowed = flat amount; HCP01 07.
	CaseRate
)

var methodNames = [...]string{
	LesserOfFee:      "lesser_of_fee",
	PercentOfCharges: "percent_of_charges",
	RBRVS:            "rbrvs",
	PerDiem:          "per_diem",
	DRG:              "drg",
	CaseRate:         "case_rate",
}

// String returns the method's name as written in contract files
// ("lesser_of_fee", "percent_of_charges", "rbrvs", "per_diem", "drg",
// "case_rate").
func (m Method) String() string {
	if m >= LesserOfFee && int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", uint8(m))
}

// ParseMethod is the inverse of Method.String.
func ParseMethod(s string) (Method, error) {
	for m := LesserOfFee; int(m) < len(methodNames); m++ {
		if methodNames[m] == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown method %q", ErrInvalidContract, s)
}

// lineLevel reports whether m prices each line on its own.
func (m Method) lineLevel() bool { return m == LesserOfFee || m == PercentOfCharges || m == RBRVS }

// UnpricedAction is what happens to a line (or, for claim-level methods, a
// claim) the contract's method cannot price: no schedule row for the code
// on the date, no DRG, no per diem rate or no covered days.
type UnpricedAction uint8

// Unpriced actions.
const (
	// UnpricedDeny: allowed 0, HCP01 00, HCP13 = UnpricedRule.Reason.
	UnpricedDeny UnpricedAction = iota
	// UnpricedPercentOfCharges: allowed = charge × UnpricedRule.Percent,
	// HCP01 03.
	UnpricedPercentOfCharges
)

// UnpricedRule is a contract's rule for what it cannot price. The zero
// value denies with reason T6.
type UnpricedRule struct {
	// Action is UnpricedDeny (default) or UnpricedPercentOfCharges.
	Action UnpricedAction
	// Reason is the HCP13 reject reason for UnpricedDeny, "T1".."T6";
	// empty means "T6" (claim does not contain enough information for
	// repricing).
	Reason string
	// Percent is the basis points for UnpricedPercentOfCharges, 0..10000.
	Percent int64
}

// ScheduleRefs name the schedules a contract uses; the engine resolves them
// through its ScheduleSource. Only the ones the method needs may be set.
type ScheduleRefs struct {
	// Fee names the fee schedule (LesserOfFee).
	Fee string
	// RBRVS and GPCI name the RVU schedule and GPCI table (RBRVS).
	RBRVS, GPCI string
	// PerDiem names the per diem schedule (PerDiem).
	PerDiem string
	// DRG names the DRG weight schedule (DRG).
	DRG string
	// CaseRate names the case rate schedule (CaseRate).
	CaseRate string
}

// Match is one rule that selects a contract. Empty fields match anything;
// a claim matches when every non-empty field equals the claim's value
// (exact, case-sensitive comparison, except TPA: see there).
type Match struct {
	// NPI is the billing provider NPI (ten digits, valid check digit).
	NPI string
	// TIN is the billing provider tax ID (nine digits, no dash).
	TIN string
	// PayerID is the 2010BB payer ID ("2712").
	PayerID string
	// TPA is the third-party administrator the member is enrolled under on
	// the roster ("SYNTH TPA WEST"; Claim.TPA). It is compared ignoring
	// case and surrounding spaces, as claim routing compares TPA names; the
	// validated contract holds it trimmed and upper-cased. At most
	// MaxTPALen characters, no control characters, not only spaces.
	TPA string
	// ClaimType is Professional, Institutional or 0 (any).
	ClaimType ClaimType
	// BillType is a two-digit facility type code, the first two digits of
	// the type of bill ("11" inpatient hospital, "13" outpatient
	// hospital). It implies ClaimType Institutional.
	BillType string
}

// Field bits of a Match, also its specificity: the number of set fields.
const (
	matchNPI uint8 = 1 << iota
	matchTIN
	matchPayer
	matchType
	matchBill
	matchTPA
)

// MaxTPALen is the longest Match.TPA, in characters after trimming.
const MaxTPALen = 60

// TPAKey is the form TPA names are compared in, by contract matching and
// by claim routing (pipeline/forward): surrounding spaces trimmed, upper
// case.
func TPAKey(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func (m *Match) mask() uint8 {
	var k uint8
	if m.NPI != "" {
		k |= matchNPI
	}
	if m.TIN != "" {
		k |= matchTIN
	}
	if m.PayerID != "" {
		k |= matchPayer
	}
	if m.ClaimType != 0 {
		k |= matchType
	}
	if m.BillType != "" {
		k |= matchBill
	}
	if m.TPA != "" {
		k |= matchTPA
	}
	return k
}

// String describes m as `npi=… tin=… payer_id=… tpa="…" claim_type=…
// bill_type=…` (set fields only, the TPA quoted; "default" when none are
// set).
func (m Match) String() string {
	var b strings.Builder
	add := func(k, v string) {
		if v == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k + "=" + v)
	}
	add("npi", m.NPI)
	add("tin", m.TIN)
	add("payer_id", m.PayerID)
	if m.TPA != "" {
		add("tpa", strconv.Quote(m.TPA))
	}
	add("claim_type", m.ClaimType.String())
	add("bill_type", m.BillType)
	if b.Len() == 0 {
		return "default"
	}
	return b.String()
}

// Contract is one repricing agreement: which claims it covers (Match rules
// and an effective range) and how it prices them.
type Contract struct {
	// ID identifies the contract in results and errors (required, unique).
	ID string
	// Match lists the rules that select this contract (at least one). A
	// rule with no fields set is a default (catch-all).
	Match []Match
	// EffectiveFrom and EffectiveTo bound the contract by the claim's
	// contract date (inclusive); zero means open (MinDate / MaxDate).
	EffectiveFrom, EffectiveTo Date
	// Method is the pricing method (required).
	Method Method
	// Percent is the basis points of PercentOfCharges (7000 = 70 %),
	// 0..10000.
	Percent int64
	// ConversionFactor is the RBRVS conversion factor in 1/10000 dollar
	// (334009 = $33.4009).
	ConversionFactor int64
	// RBRVSPercent is the share of the RBRVS amount in basis points (14000 =
	// 140 % of Medicare), 1..100000.
	RBRVSPercent int64
	// Locality is the GPCI locality (RBRVS).
	Locality string
	// BaseRateCents is the hospital base rate (DRG).
	BaseRateCents int64
	// Schedules name the schedules the method uses.
	Schedules ScheduleRefs
	// Unpriced is the rule for lines or claims the method cannot price.
	Unpriced UnpricedRule
	// CapAtBilled limits a claim-level amount (PerDiem, DRG, CaseRate) to
	// the billed amount. Line-level methods never exceed the charge.
	CapAtBilled bool
	// MethodCode overrides the HCP01 code of what the method prices ("" =
	// the method's default: 02 fee schedule and RBRVS, 03 percent, 06 per
	// diem, Config.DRGMethodCode for DRG, 07 case rate). One of 01..14 but
	// not 08 (computed); 06 only when every Match is institutional.
	MethodCode string
}

// ErrInvalidContract reports a contract whose fields do not fit its method
// or whose match rules are malformed.
var ErrInvalidContract = errors.New("invalid contract")

// ErrAmbiguousContracts reports two contracts that both match some claim at
// the same specificity with no more specific rule to decide.
var ErrAmbiguousContracts = errors.New("ambiguous contracts")

// ErrNoContract is returned by Engine.Price when no contract matches a claim
// (the table has no default for it).
var ErrNoContract = errors.New("no contract matches claim")

// ContractError locates an invalid contract.
type ContractError struct {
	// ID is the contract's ID ("" if it has none).
	ID string
	// Line and Column locate the offending value in a contracts file (0
	// when the contract was built in code).
	Line, Column int
	// Err is the cause (wraps ErrInvalidContract, ErrDate, ...).
	Err error
}

// Error implements error.
func (e *ContractError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	}
	if e.ID != "" {
		fmt.Fprintf(&b, "contract %s: ", e.ID)
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *ContractError) Unwrap() error { return e.Err }

// AmbiguityError names two contracts that tie: on Date a claim with the
// fields of Match matches a rule of A and a rule of B with the same number
// of fields, and no rule with more fields covers it.
type AmbiguityError struct {
	A, B  string // contract IDs, in table order
	Match Match  // the fields such a claim has
	Date  Date   // the first contract date where they tie
}

// Error implements error.
func (e *AmbiguityError) Error() string {
	return fmt.Sprintf("%v: %s and %s both match %s on %s; add a more specific rule or separate the dates",
		ErrAmbiguousContracts, e.A, e.B, e.Match, e.Date)
}

// Unwrap returns ErrAmbiguousContracts.
func (e *AmbiguityError) Unwrap() error { return ErrAmbiguousContracts }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidContract, fmt.Sprintf(format, args...))
}

// validate checks c and returns a normalised copy (open dates filled in,
// bill-type rules made institutional, default reason set).
func (c Contract) validate() (Contract, error) {
	if c.ID == "" {
		return c, invalidf("id is required")
	}
	if len(c.Match) == 0 {
		return c, invalidf("no match rules (use one empty rule for a default contract)")
	}
	c.Match = slices.Clone(c.Match)
	allInst := true
	for i := range c.Match {
		m := &c.Match[i]
		if err := m.validate(); err != nil {
			return c, fmt.Errorf("match %d: %w", i+1, err)
		}
		allInst = allInst && m.ClaimType == Institutional
	}
	if c.EffectiveFrom == 0 {
		c.EffectiveFrom = MinDate
	}
	if c.EffectiveTo == 0 {
		c.EffectiveTo = MaxDate
	}
	if !c.EffectiveFrom.Valid() || !c.EffectiveTo.Valid() {
		return c, fmt.Errorf("%w: effective range %d..%d", ErrDate, uint32(c.EffectiveFrom), uint32(c.EffectiveTo))
	}
	if c.EffectiveTo < c.EffectiveFrom {
		return c, fmt.Errorf("%w: %s < %s", ErrDateRange, c.EffectiveTo, c.EffectiveFrom)
	}

	if c.Method < LesserOfFee || int(c.Method) >= len(methodFields) {
		return c, invalidf("method is required")
	}
	if (c.Method == PerDiem || c.Method == DRG) && !allInst {
		return c, invalidf("method %s needs claim_type I (or a bill_type) on every match rule", c.Method)
	}
	// Fields the method requires or allows; every other one must be zero.
	mf := methodFields[c.Method]
	checks := [...]struct {
		field    uint16
		name     string
		present  bool
		validate func() error
	}{
		{fPercent, "percent", c.Percent != 0, func() error { return bpRange(c.Percent, 1, BasisPoints) }},
		{fCF, "conversion_factor", c.ConversionFactor != 0, func() error { return positive(c.ConversionFactor, 999_999_999) }},
		{fRBRVSPct, "rbrvs_percent", c.RBRVSPercent != 0, func() error { return bpRange(c.RBRVSPercent, 1, 10*BasisPoints) }},
		{fLocality, "locality", c.Locality != "", func() error { return checkCode(c.Locality) }},
		{fBase, "base_rate", c.BaseRateCents != 0, func() error { return positive(c.BaseRateCents, MaxCents) }},
		{fFee, "fee_schedule", c.Schedules.Fee != "", nil},
		{fRBRVS, "rbrvs_schedule", c.Schedules.RBRVS != "", nil},
		{fGPCI, "gpci_schedule", c.Schedules.GPCI != "", nil},
		{fPerDiem, "per_diem_schedule", c.Schedules.PerDiem != "", nil},
		{fDRG, "drg_schedule", c.Schedules.DRG != "", nil},
		{fCaseRate, "case_rate_schedule", c.Schedules.CaseRate != "", nil},
		{fCap, "cap_at_billed", c.CapAtBilled, nil},
	}
	for _, ch := range checks {
		required := mf.required&ch.field != 0
		switch {
		case ch.present && !required && mf.optional&ch.field == 0:
			return c, invalidf("%s is not used by method %s", ch.name, c.Method)
		case required && !ch.present:
			return c, invalidf("%s is required by method %s", ch.name, c.Method)
		case ch.present && ch.validate != nil:
			if err := ch.validate(); err != nil {
				return c, invalidf("%s: %v", ch.name, err)
			}
		}
	}

	u := &c.Unpriced
	switch u.Action {
	case UnpricedDeny:
		if u.Reason == "" {
			u.Reason = defaultDenyReason
		}
		if len(u.Reason) != 2 || u.Reason[0] != 'T' || u.Reason[1] < '1' || u.Reason[1] > '6' {
			return c, invalidf("unpriced reason %q is not T1..T6", u.Reason)
		}
		if u.Percent != 0 {
			return c, invalidf("unpriced percent is only for percent_of_charges")
		}
	case UnpricedPercentOfCharges:
		if u.Reason != "" {
			return c, invalidf("unpriced reason is only for deny")
		}
		if err := bpRange(u.Percent, 0, BasisPoints); err != nil {
			return c, invalidf("unpriced percent: %v", err)
		}
	default:
		return c, invalidf("unpriced action %d unknown", u.Action)
	}

	if mc := c.MethodCode; mc != "" {
		if !validHCP01(mc) || mc == "00" || mc == "08" {
			return c, invalidf("method_code %q is not one of 01..14 (08 is computed)", mc)
		}
		if mc == "06" && !allInst {
			return c, invalidf("method_code 06 (per diem) is not allowed on 837P claims; restrict every match rule to claim_type I")
		}
	}
	return c, nil
}

// Contract fields that depend on the method.
const (
	fPercent uint16 = 1 << iota
	fCF
	fRBRVSPct
	fLocality
	fBase
	fFee
	fRBRVS
	fGPCI
	fPerDiem
	fDRG
	fCaseRate
	fCap
)

// methodFields lists, per method, the fields it requires and those it
// merely allows.
var methodFields = [...]struct{ required, optional uint16 }{
	LesserOfFee:      {required: fFee},
	PercentOfCharges: {required: fPercent},
	RBRVS:            {required: fCF | fRBRVSPct | fLocality | fRBRVS | fGPCI},
	PerDiem:          {required: fPerDiem, optional: fCap},
	DRG:              {required: fBase | fDRG, optional: fCap},
	CaseRate:         {required: fCaseRate, optional: fCap},
}

func bpRange(v, lo, hi int64) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s %% outside %s..%s %%", formatScaled(v, 2), formatScaled(lo, 2), formatScaled(hi, 2))
	}
	return nil
}

func positive(v, hi int64) error {
	if v <= 0 || v > hi {
		return fmt.Errorf("%d must be positive and at most %d", v, hi)
	}
	return nil
}

// validHCP01 reports whether s is an HCP01 pricing methodology code 00..14.
func validHCP01(s string) bool {
	return len(s) == 2 && (s[0] == '0' && s[1] >= '0' && s[1] <= '9' || s[0] == '1' && s[1] >= '0' && s[1] <= '4')
}

func (m *Match) validate() error {
	if m.NPI != "" && !validNPI(m.NPI) {
		return invalidf("npi %q is not ten digits with a valid check digit", m.NPI)
	}
	if m.TIN != "" && (len(m.TIN) != 9 || !allDigits(m.TIN)) {
		return invalidf("tin %q is not nine digits", m.TIN)
	}
	if m.PayerID != "" && strings.TrimSpace(m.PayerID) != m.PayerID {
		return invalidf("payer_id %q has surrounding spaces", m.PayerID)
	}
	if m.TPA != "" {
		t := strings.TrimSpace(m.TPA)
		switch {
		case !utf8.ValidString(m.TPA):
			return invalidf("tpa %q is not valid UTF-8", m.TPA)
		case strings.ContainsFunc(m.TPA, unicode.IsControl):
			return invalidf("tpa %q has control characters", m.TPA)
		case t == "":
			return invalidf("tpa %q is only spaces", m.TPA)
		case utf8.RuneCountInString(t) > MaxTPALen:
			return invalidf("tpa %q is longer than %d characters", m.TPA, MaxTPALen)
		}
		m.TPA = TPAKey(t)
	}
	switch m.ClaimType {
	case 0, Professional, Institutional:
	default:
		return invalidf("claim_type %q is not P or I", m.ClaimType)
	}
	if m.BillType != "" {
		if len(m.BillType) != 2 || !allDigits(m.BillType) {
			return invalidf("bill_type %q is not two digits", m.BillType)
		}
		if m.ClaimType == Professional {
			return invalidf("bill_type needs claim_type I")
		}
		m.ClaimType = Institutional
	}
	return nil
}

// validNPI checks ten digits and the Luhn check digit over "80840" + the
// first nine digits.
func validNPI(s string) bool {
	if len(s) != 10 || !allDigits(s) {
		return false
	}
	sum := 24 // the prefix 80840 contributes 24
	for i := 8; i >= 0; i-- {
		d := int(s[i] - '0')
		if (8-i)%2 == 0 { // doubled: rightmost of the payload first
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10-sum%10)%10 == int(s[9]-'0')
}

// ContractTable selects the contract for a claim. It is immutable and safe
// for concurrent use.
//
// Matching: a rule matches a claim when each of its set fields (NPI, TIN,
// PayerID, TPA, ClaimType, BillType) equals the claim's value (TPA
// ignoring case and surrounding spaces) and the claim's
// contract date (admission date, else statement from date, else the
// earliest line service date) lies in the contract's effective range. Among
// matching rules the one with the most set fields wins. Two contracts that
// could tie for some claim on some date are rejected by NewContractTable
// with an *AmbiguityError, unless rules with more fields cover every such
// claim on every such date.
type ContractTable struct {
	contracts []Contract
	rules     []rule
	masks     []uint8 // field masks present, most fields first
	index     map[ruleKey][]int32
	tpas      map[string]int32 // normalised rule TPA → ruleKey.tpa (1..)
}

type rule struct {
	ci       int // contract index
	m        Match
	mask     uint8
	from, to Date
}

type ruleKey struct {
	mask                      uint8
	typ                       ClaimType
	tpa                       int32 // t.tpas[Match.TPA], 0 when unset
	npi, tin, payer, billType string
}

// NewContractTable validates the contracts (see Contract) and the table:
// unique IDs and no ambiguity. Errors are *ContractError or
// *AmbiguityError.
func NewContractTable(contracts []Contract) (*ContractTable, error) {
	t := &ContractTable{contracts: make([]Contract, len(contracts)), index: make(map[ruleKey][]int32)}
	ids := make(map[string]bool, len(contracts))
	for i, c := range contracts {
		v, err := c.validate()
		if err != nil {
			return nil, &ContractError{ID: c.ID, Err: err}
		}
		if ids[v.ID] {
			return nil, &ContractError{ID: v.ID, Err: invalidf("duplicate id")}
		}
		ids[v.ID] = true
		t.contracts[i] = v
		for _, m := range v.Match {
			t.rules = append(t.rules, rule{ci: i, m: m, mask: m.mask(), from: v.EffectiveFrom, to: v.EffectiveTo})
		}
	}
	if err := t.checkAmbiguity(); err != nil {
		return nil, err
	}
	seen := map[uint8]bool{}
	for i := range t.rules {
		r := &t.rules[i]
		k := ruleKey{mask: r.mask, typ: r.m.ClaimType, npi: r.m.NPI, tin: r.m.TIN, payer: r.m.PayerID, billType: r.m.BillType}
		if r.m.TPA != "" {
			if t.tpas == nil {
				t.tpas = make(map[string]int32)
			}
			id, ok := t.tpas[r.m.TPA]
			if !ok {
				id = int32(len(t.tpas) + 1)
				t.tpas[r.m.TPA] = id
			}
			k.tpa = id
		}
		t.index[k] = append(t.index[k], int32(i))
		if !seen[r.mask] {
			seen[r.mask] = true
			t.masks = append(t.masks, r.mask)
		}
	}
	slices.SortFunc(t.masks, func(a, b uint8) int {
		if c := cmp.Compare(bits.OnesCount8(b), bits.OnesCount8(a)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return t, nil
}

// checkAmbiguity finds two rules of different contracts with the same
// number of fields that can match the same claim on the same date, where
// the rules with more fields that would match every such claim do not cover
// all of those dates.
func (t *ContractTable) checkAmbiguity() error {
	for i := range t.rules {
		a := &t.rules[i]
		for j := i + 1; j < len(t.rules); j++ {
			b := &t.rules[j]
			if a.ci == b.ci || bits.OnesCount8(a.mask) != bits.OnesCount8(b.mask) {
				continue
			}
			join, ok := joinMatch(&a.m, &b.m)
			if !ok {
				continue
			}
			from, to := max(a.from, b.from), min(a.to, b.to)
			if from > to {
				continue
			}
			if d, bad := t.uncovered(&join, bits.OnesCount8(a.mask), from, to); bad {
				return &AmbiguityError{A: t.contracts[a.ci].ID, B: t.contracts[b.ci].ID, Match: join, Date: d}
			}
		}
	}
	return nil
}

// joinMatch returns the fields a claim matching both a and b has, or false
// when no claim can match both.
func joinMatch(a, b *Match) (Match, bool) {
	var j Match
	pick := func(x, y string, dst *string) bool {
		switch {
		case x == "":
			*dst = y
		case y == "" || x == y:
			*dst = x
		default:
			return false
		}
		return true
	}
	if !pick(a.NPI, b.NPI, &j.NPI) || !pick(a.TIN, b.TIN, &j.TIN) || !pick(a.PayerID, b.PayerID, &j.PayerID) ||
		!pick(a.TPA, b.TPA, &j.TPA) || !pick(a.BillType, b.BillType, &j.BillType) {
		return j, false
	}
	switch {
	case a.ClaimType == 0:
		j.ClaimType = b.ClaimType
	case b.ClaimType == 0 || a.ClaimType == b.ClaimType:
		j.ClaimType = a.ClaimType
	default:
		return j, false
	}
	return j, true
}

// uncovered returns the first date in from..to on which no rule with more
// than n fields, all of them among join's, is effective.
func (t *ContractTable) uncovered(join *Match, n int, from, to Date) (Date, bool) {
	type iv struct{ from, to Date }
	var ivs []iv
	for i := range t.rules {
		r := &t.rules[i]
		if bits.OnesCount8(r.mask) > n && subsetOf(&r.m, join) {
			ivs = append(ivs, iv{r.from, r.to})
		}
	}
	slices.SortFunc(ivs, func(a, b iv) int { return cmp.Compare(a.from, b.from) })
	cur := from
	for _, v := range ivs {
		if v.from > cur {
			break
		}
		if v.to >= cur {
			if v.to >= to {
				return 0, false
			}
			cur = v.to.next()
		}
	}
	return cur, true
}

// subsetOf reports whether every set field of r is set to the same value
// in j (so every claim with j's fields matches r).
func subsetOf(r, j *Match) bool {
	return (r.NPI == "" || r.NPI == j.NPI) && (r.TIN == "" || r.TIN == j.TIN) &&
		(r.PayerID == "" || r.PayerID == j.PayerID) && (r.TPA == "" || r.TPA == j.TPA) &&
		(r.ClaimType == 0 || r.ClaimType == j.ClaimType) && (r.BillType == "" || r.BillType == j.BillType)
}

// next returns the day after d (d < MaxDate).
func (d Date) next() Date {
	y, m, day := d.Year(), d.Month(), d.Day()
	switch {
	case day < daysIn(y, m):
		return d + 1
	case m < 12:
		return NewDate(y, m+1, 1)
	}
	return NewDate(y+1, 1, 1)
}

// tpaID returns the ruleKey.tpa of a claim whose member's TPA is s: the
// id of the rule TPA equal to s ignoring case and surrounding spaces, 0
// when no rule names it. An ASCII s is normalised into a stack buffer, so
// the lookup does not allocate.
func (t *ContractTable) tpaID(s string) int32 {
	if len(t.tpas) == 0 || s == "" {
		return 0
	}
	lo, hi := 0, len(s)
	for lo < hi && asciiSpace(s[lo]) {
		lo++
	}
	for hi > lo && asciiSpace(s[hi-1]) {
		hi--
	}
	if hi-lo > MaxTPALen {
		// Too long for an ASCII rule TPA; a non-ASCII s may still shrink.
		for i := lo; i < hi; i++ {
			if s[i] >= utf8.RuneSelf {
				return t.tpas[TPAKey(s)]
			}
		}
		return 0
	}
	var buf [MaxTPALen]byte
	n := 0
	for i := lo; i < hi; i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return t.tpas[TPAKey(s)]
		}
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return t.tpas[string(buf[:n])]
}

// asciiSpace reports the ASCII bytes strings.TrimSpace trims.
func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// find returns the index of the contract for c on date, or -1.
func (t *ContractTable) find(c *Claim, date Date) int {
	ft := ""
	if c.Type == Institutional {
		ft = c.facilityType()
	}
	tpa := t.tpaID(c.TPA) // once per claim
	for _, mask := range t.masks {
		k := ruleKey{mask: mask}
		if mask&matchTPA != 0 {
			if tpa == 0 {
				continue // no rule names the claim's TPA
			}
			k.tpa = tpa
		}
		if mask&matchNPI != 0 {
			k.npi = c.BillingNPI
		}
		if mask&matchTIN != 0 {
			k.tin = c.BillingTIN
		}
		if mask&matchPayer != 0 {
			k.payer = c.PayerID
		}
		if mask&matchType != 0 {
			k.typ = c.Type
		}
		if mask&matchBill != 0 {
			k.billType = ft
		}
		for _, ri := range t.index[k] {
			r := &t.rules[ri]
			if date >= r.from && date <= r.to {
				return r.ci
			}
		}
	}
	return -1
}

// Find returns the contract that applies to c (see ContractTable for the
// rules), and false when none does.
func (t *ContractTable) Find(c *Claim) (Contract, bool) {
	i := t.find(c, c.contractDate())
	if i < 0 {
		return Contract{}, false
	}
	return t.contracts[i], true
}

// Contracts returns the validated contracts in table order (a copy).
func (t *ContractTable) Contracts() []Contract { return slices.Clone(t.contracts) }
