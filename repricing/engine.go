package repricing

import (
	"context"
	"errors"
	"fmt"
)

// HCP01 pricing methodology codes the engine writes.
const (
	CodeZero        = "00" // zero pricing: denied by the unpriced rule
	CodeFeeSchedule = "02" // standard fee schedule (lesser-of, RBRVS)
	CodePercent     = "03" // contractual percentage
	CodeBundled     = "04" // line of a claim priced at claim level
	CodePerDiem     = "06" // per diem (never at the 837P claim level)
	CodeFlatRate    = "07" // flat rate: case rate; DRG by default
	CodeCombination = "08" // lines priced with different codes
)

// defaultDenyReason is HCP13 T6: the claim does not contain enough
// information for repricing.
const defaultDenyReason = "T6"

// DefaultFacilityPOS returns the places of service priced with the facility
// practice expense RVU when Config.FacilityPOS is nil: 19 off-campus
// outpatient hospital, 21 inpatient hospital, 22 on-campus outpatient
// hospital, 23 emergency room, 24 ambulatory surgical center, 26 military
// treatment facility, 31 skilled nursing facility, 34 hospice, 41/42
// ambulance (land/air or water), 51 inpatient psychiatric facility, 52
// psychiatric facility partial hospitalization, 53 community mental health
// center, 56 psychiatric residential treatment center, 61 comprehensive
// inpatient rehabilitation facility.
func DefaultFacilityPOS() []string {
	return []string{"19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"}
}

// Config tunes an Engine. The zero value (or nil) uses every default.
type Config struct {
	// FacilityPOS are the two-digit places of service priced with the
	// facility PE RVU; any other POS uses the non-facility PE RVU. A line
	// with no POS (line or claim) uses facility on institutional claims
	// and non-facility on professional ones. Default: DefaultFacilityPOS.
	FacilityPOS []string
	// DRGMethodCode is the HCP01 code of DRG-priced claims (the code list
	// has none for DRG; agree it with the payer). Default "07" (flat
	// rate); "10" (other pricing) is the usual alternative. A contract's
	// MethodCode overrides it.
	DRGMethodCode string
}

func (c *Config) withDefaults() (Config, error) {
	var out Config
	if c != nil {
		out = *c
	}
	if out.FacilityPOS == nil {
		out.FacilityPOS = DefaultFacilityPOS()
	}
	for _, p := range out.FacilityPOS {
		if len(p) != 2 || !allDigits(p) {
			return out, fmt.Errorf("repricing config: facility POS %q is not two digits", p)
		}
	}
	if out.DRGMethodCode == "" {
		out.DRGMethodCode = CodeFlatRate
	}
	if !validHCP01(out.DRGMethodCode) || out.DRGMethodCode == CodeZero || out.DRGMethodCode == CodeCombination {
		return out, fmt.Errorf("repricing config: DRG method code %q is not one of 01..14 (not 08)", out.DRGMethodCode)
	}
	return out, nil
}

// Engine prices claims against a contract table and its schedules. It is
// immutable and safe for concurrent use.
type Engine struct {
	table     *ContractTable
	compiled  []compiled
	facility  [100]bool
	drgMethod string
}

// compiled is a contract with its schedules resolved.
type compiled struct {
	c        *Contract
	code     string // HCP01 of what the method prices
	fee      *FeeSchedule
	rvu      *RBRVSSchedule
	gpci     GPCI
	cfPct    int64 // ConversionFactor × RBRVSPercent (scale 1e4 × 1e4)
	perDiem  *PerDiemSchedule
	drg      *DRGSchedule
	caseRate *CaseRateSchedule
}

// NewEngine resolves every schedule the contracts name through src (once
// per name) and checks that each RBRVS contract's locality is in its GPCI
// table. cfg may be nil.
func NewEngine(ctx context.Context, src ScheduleSource, contracts *ContractTable, cfg *Config) (*Engine, error) {
	if contracts == nil {
		return nil, errors.New("new engine: nil contract table")
	}
	conf, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Engine{table: contracts, compiled: make([]compiled, len(contracts.contracts)), drgMethod: conf.DRGMethodCode}
	for _, p := range conf.FacilityPOS {
		e.facility[int(p[0]-'0')*10+int(p[1]-'0')] = true
	}
	var (
		fees   = map[string]*FeeSchedule{}
		rvus   = map[string]*RBRVSSchedule{}
		gpcis  = map[string]*GPCITable{}
		diems  = map[string]*PerDiemSchedule{}
		drgs   = map[string]*DRGSchedule{}
		cases  = map[string]*CaseRateSchedule{}
		needed = func(name string) bool { return name != "" }
	)
	for i := range contracts.contracts {
		c := &contracts.contracts[i]
		k := &e.compiled[i]
		k.c = c
		fail := func(err error) error { return fmt.Errorf("new engine: contract %s: %w", c.ID, err) }
		refs := c.Schedules
		if needed(refs.Fee) {
			if k.fee, err = resolve(ctx, fees, refs.Fee, src.FeeSchedule); err != nil {
				return nil, fail(err)
			}
		}
		if needed(refs.RBRVS) {
			if k.rvu, err = resolve(ctx, rvus, refs.RBRVS, src.RBRVSSchedule); err != nil {
				return nil, fail(err)
			}
		}
		if needed(refs.GPCI) {
			t, err := resolve(ctx, gpcis, refs.GPCI, src.GPCITable)
			if err != nil {
				return nil, fail(err)
			}
			g, ok := t.Lookup(c.Locality)
			if !ok {
				return nil, fail(fmt.Errorf("locality %q is not in gpci schedule %q", c.Locality, refs.GPCI))
			}
			k.gpci = g
			k.cfPct = c.ConversionFactor * c.RBRVSPercent
		}
		if needed(refs.PerDiem) {
			if k.perDiem, err = resolve(ctx, diems, refs.PerDiem, src.PerDiemSchedule); err != nil {
				return nil, fail(err)
			}
		}
		if needed(refs.DRG) {
			if k.drg, err = resolve(ctx, drgs, refs.DRG, src.DRGSchedule); err != nil {
				return nil, fail(err)
			}
		}
		if needed(refs.CaseRate) {
			if k.caseRate, err = resolve(ctx, cases, refs.CaseRate, src.CaseRateSchedule); err != nil {
				return nil, fail(err)
			}
		}
		k.code = c.MethodCode
		if k.code == "" {
			switch c.Method {
			case LesserOfFee, RBRVS:
				k.code = CodeFeeSchedule
			case PercentOfCharges:
				k.code = CodePercent
			case PerDiem:
				k.code = CodePerDiem
			case DRG:
				k.code = conf.DRGMethodCode
			case CaseRate:
				k.code = CodeFlatRate
			}
		}
	}
	return e, nil
}

// resolve fetches name through get once and caches it in m.
func resolve[T any](ctx context.Context, m map[string]*T, name string, get func(context.Context, string) (*T, error)) (*T, error) {
	if s, ok := m[name]; ok {
		return s, nil
	}
	s, err := get(ctx, name)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("schedule %q: %w", name, ErrScheduleNotFound)
	}
	m[name] = s
	return s, nil
}

// Contracts returns the engine's contract table.
func (e *Engine) Contracts() *ContractTable { return e.table }

// Price reprices c. It returns ErrInvalidClaim (wrapped) for input it
// cannot price and ErrNoContract when no contract matches; errors name the
// claim by ID only. See PriceInto to reuse the result's storage.
func (e *Engine) Price(c *Claim) (Result, error) {
	var r Result
	err := e.PriceInto(c, &r)
	return r, err
}

// PriceInto is Price writing into r, reusing r.Lines' storage; with enough
// capacity it does not allocate. r is overwritten, also on error.
func (e *Engine) PriceInto(c *Claim, r *Result) error {
	r.reset(len(c.Lines))
	r.ContractID, r.Method = "", 0
	if err := c.validate(); err != nil {
		return err
	}
	date := c.contractDate()
	if date == 0 {
		return c.invalid("no date to select a contract (admission, statement or line service date)")
	}
	ci := e.table.find(c, date)
	if ci < 0 {
		return fmt.Errorf("claim %s: %w (payer %q, type %s, date %s)", c.ID, ErrNoContract, c.PayerID, c.Type, date)
	}
	k := &e.compiled[ci]
	r.ContractID, r.Method = k.c.ID, k.c.Method
	var err error
	if k.c.Method.lineLevel() {
		err = e.priceLines(k, c, date, r)
	} else {
		err = e.priceClaim(k, c, date, r)
	}
	if err != nil {
		return fmt.Errorf("claim %s: contract %s: %w", c.ID, k.c.ID, err)
	}
	return nil
}

// priceLines prices each line with a line-level method; the claim is the
// sum of the rounded lines.
func (e *Engine) priceLines(k *compiled, c *Claim, date Date, r *Result) error {
	var total int64
	for i := range c.Lines {
		l := &c.Lines[i]
		lp := &r.Lines[i]
		lp.No = l.No
		units := l.Units
		if units == 0 {
			units = 1000
			lp.UnitBasis, lp.ApprovedUnits = l.UnitBasis, units
			if lp.UnitBasis == "" {
				lp.UnitBasis = "UN"
			}
		}
		sched, ok, err := e.scheduleAmount(k, c, l, units, date)
		if err != nil {
			return fmt.Errorf("line %d: %w", l.No, err)
		}
		if ok {
			lp.Priced = true
			lp.MethodCode = k.code
			lp.ScheduleCents = sched
			lp.AllowedCents = min(sched, l.ChargeCents)
		} else if err := unpriced(&k.c.Unpriced, l, lp); err != nil {
			return fmt.Errorf("line %d: %w", l.No, err)
		}
		lp.SavingsCents = l.ChargeCents - lp.AllowedCents
		total += lp.AllowedCents
		if total > MaxCents {
			return fmt.Errorf("claim allowed total: %w", ErrAmountRange)
		}
	}
	e.sumLines(k, c, total, r)
	return nil
}

// sumLines fills the claim level from priced (or unpriced) lines.
func (e *Engine) sumLines(k *compiled, c *Claim, total int64, r *Result) {
	cp := &r.Claim
	cp.AllowedCents = total
	cp.SavingsCents = c.BilledCents - total
	for i := range r.Lines {
		code := r.Lines[i].MethodCode
		switch {
		case code == CodeZero:
		case cp.MethodCode == "":
			cp.MethodCode = code
		case cp.MethodCode != code:
			cp.MethodCode = CodeCombination
		}
	}
	if cp.MethodCode == "" { // every line denied
		cp.MethodCode = CodeZero
		cp.DenyReason = k.c.Unpriced.Reason
	}
}

// scheduleAmount returns the contract amount of a line before the
// lesser-of-charge cap, and false when the schedule has no row for it.
func (e *Engine) scheduleAmount(k *compiled, c *Claim, l *Line, units int64, claimDate Date) (int64, bool, error) {
	if k.c.Method == PercentOfCharges {
		v, err := percentOf(l.ChargeCents, k.c.Percent)
		return v, err == nil, err
	}
	date := l.ServiceDate
	if date == 0 {
		date = c.StatementFrom
	}
	if date == 0 {
		date = claimDate
	}
	var pm [4]uint16
	mods := pm[:packMods(&pm, l.Modifiers)]
	pos := l.POS
	if pos == "" {
		pos = c.POS
	}
	switch k.c.Method {
	case LesserOfFee:
		fee, ok := k.fee.lookup(l.ProcedureCode, mods, pack2(pos), date)
		if !ok && l.RevenueCode != "" {
			fee, ok = k.fee.lookup(l.RevenueCode, mods, pack2(pos), date)
		}
		if !ok {
			return 0, false, nil
		}
		v, err := mulDivRound(fee, units, 1000)
		return v, err == nil, err
	case RBRVS:
		rv := k.rvu.lookup(l.ProcedureCode, mods, date)
		if rv == nil {
			return 0, false, nil
		}
		pe := rv.peNF
		if e.isFacility(pos, c.Type) {
			pe = rv.peF
		}
		v, err := rbrvsAmount(rv.work, pe, rv.mp, &k.gpci, k.cfPct, units)
		return v, err == nil, err
	}
	return 0, false, fmt.Errorf("method %s is not line level", k.c.Method)
}

// rbrvsAmount computes, exactly in 128 bits and rounded once half up to
// the cent:
//
//	(work×wGPCI + pe×peGPCI + mp×mpGPCI) × CF × RBRVSPercent × units
//
// RVUs and GPCIs are scaled by 1e4 each (the sum by 1e8), CF by 1e4
// dollars, the percent by 1e4 (basis points) and units by 1e3, so the
// product is dollars × 1e19 = cents × 1e17.
func rbrvsAmount(work, pe, mp int64, g *GPCI, cfPct, units int64) (int64, error) {
	s := work*g.Work + pe*g.PE + mp*g.MP // ≤ 3 × 999999999 × 999999: fits int64
	p, _ := u128{lo: uint64(s)}.mul(uint64(cfPct))
	p, ok := p.mul(uint64(units))
	if !ok {
		return 0, ErrAmountRange
	}
	q, ok := p.divRound(100_000_000_000_000_000) // 1e17
	if !ok || q > MaxCents {
		return 0, ErrAmountRange
	}
	return int64(q), nil
}

// isFacility reports whether pos is a facility place of service; an empty
// POS is facility on institutional claims.
func (e *Engine) isFacility(pos string, t ClaimType) bool {
	if pos == "" {
		return t == Institutional
	}
	if len(pos) != 2 || pos[0] < '0' || pos[0] > '9' || pos[1] < '0' || pos[1] > '9' {
		return false
	}
	return e.facility[int(pos[0]-'0')*10+int(pos[1]-'0')]
}

// unpriced applies the contract's unpriced rule to one line.
func unpriced(u *UnpricedRule, l *Line, lp *LinePricing) error {
	lp.Priced = false
	if u.Action == UnpricedPercentOfCharges {
		v, err := percentOf(l.ChargeCents, u.Percent)
		if err != nil {
			return err
		}
		lp.MethodCode, lp.AllowedCents = CodePercent, v
		return nil
	}
	lp.MethodCode, lp.AllowedCents, lp.DenyReason = CodeZero, 0, u.Reason
	return nil
}

// priceClaim prices the claim as a whole (per diem, DRG, case rate); the
// lines are reported as bundled.
func (e *Engine) priceClaim(k *compiled, c *Claim, date Date, r *Result) error {
	cdate := c.claimLevelDate(date)
	cp := &r.Claim
	var (
		amount int64
		ok     bool
		err    error
	)
	switch k.c.Method {
	case PerDiem:
		var rate, days int64
		if rate, ok = perDiemRate(k.perDiem, c, cdate); ok {
			if days, ok = coveredDays(c); ok {
				amount, err = mulDivRound(rate, days, 1)
				cp.RateCents, cp.HasRate = rate, true
				cp.UnitBasis, cp.ApprovedUnits = "DA", days*1000
			}
		}
	case DRG:
		var w int64
		if c.DRG != "" {
			w, ok = k.drg.d.lookup(c.DRG, cdate)
		}
		if ok {
			amount, err = mulDivRound(w, k.c.BaseRateCents, Scale4)
			cp.RateCents, cp.HasRate = k.c.BaseRateCents, true
			cp.DRG, cp.DRGAmountCents = c.DRG, amount
		}
	case CaseRate:
		if amount, ok = caseRate(k.caseRate, c, cdate); ok {
			cp.RateCents, cp.HasRate = amount, true
		}
	default:
		return fmt.Errorf("method %s is not claim level", k.c.Method)
	}
	if err != nil {
		return err
	}
	if !ok {
		*cp = ClaimPricing{}
		var total int64
		for i := range c.Lines {
			l, lp := &c.Lines[i], &r.Lines[i]
			lp.No = l.No
			if err := unpriced(&k.c.Unpriced, l, lp); err != nil {
				return fmt.Errorf("line %d: %w", l.No, err)
			}
			lp.SavingsCents = l.ChargeCents - lp.AllowedCents
			total += lp.AllowedCents
			if total > MaxCents {
				return fmt.Errorf("claim allowed total: %w", ErrAmountRange)
			}
		}
		e.sumLines(k, c, total, r)
		return nil
	}
	if k.c.CapAtBilled {
		amount = min(amount, c.BilledCents)
	}
	cp.MethodCode = k.code
	cp.AllowedCents = amount
	cp.SavingsCents = c.BilledCents - amount
	for i := range c.Lines {
		l, lp := &c.Lines[i], &r.Lines[i]
		lp.No = l.No
		lp.MethodCode = CodeBundled
		lp.Priced, lp.Bundled = true, true
		lp.SavingsCents = l.ChargeCents
	}
	return nil
}

// perDiemRate returns the daily rate: the first line (in order) whose
// revenue code has a rate on date, else the rate of the claim's facility
// type.
func perDiemRate(s *PerDiemSchedule, c *Claim, date Date) (int64, bool) {
	for i := range c.Lines {
		if rc := c.Lines[i].RevenueCode; rc != "" {
			if v, ok := s.d.lookup(rc, date); ok {
				return v, true
			}
		}
	}
	if ft := c.facilityType(); ft != "" {
		return s.d.lookup(ft, date)
	}
	return 0, false
}

// coveredDays returns the days a per diem pays: discharge (or statement
// through) date − admission date, the day of discharge not counted, at
// least 1; without an admission date, the sum of the DA units of all lines
// (whole days, fractions dropped, at least 1 when any DA units are billed).
func coveredDays(c *Claim) (int64, bool) {
	if c.Admission != 0 {
		end := c.Discharge
		if end == 0 {
			end = c.StatementTo
		}
		if end != 0 {
			return max(DaysBetween(c.Admission, end), 1), true
		}
	}
	var units int64
	for i := range c.Lines {
		if c.Lines[i].UnitBasis == "DA" {
			units += c.Lines[i].Units
		}
	}
	if units <= 0 {
		return 0, false
	}
	return max(units/1000, 1), true
}

// caseRate returns the flat amount keyed by the claim's DRG, else the first
// line procedure code with a rate, else the first line revenue code with a
// rate.
func caseRate(s *CaseRateSchedule, c *Claim, date Date) (int64, bool) {
	if c.DRG != "" {
		if v, ok := s.d.lookup(c.DRG, date); ok {
			return v, true
		}
	}
	for i := range c.Lines {
		if pc := c.Lines[i].ProcedureCode; pc != "" {
			if v, ok := s.d.lookup(pc, date); ok {
				return v, true
			}
		}
	}
	for i := range c.Lines {
		if rc := c.Lines[i].RevenueCode; rc != "" {
			if v, ok := s.d.lookup(rc, date); ok {
				return v, true
			}
		}
	}
	return 0, false
}
