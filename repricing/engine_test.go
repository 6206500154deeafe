package repricing

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Test schedules. Amounts are invented; codes are HCPCS Level II, revenue
// codes or invented ZZ codes.
const (
	testFees = feeHdr +
		"ZZ001,,,100.00,2026-01-01,2026-06-30\n" +
		"ZZ001,,,110.00,2026-07-01,\n" +
		"ZZ001,26,,40.00,2026-01-01,\n" +
		"ZZ001,,22,90.00,2026-01-01,\n" +
		"ZZ002,,,0.05,2026-01-01,\n" +
		"ZZ003,,,33.33,2026-01-01,\n" +
		"A0425,,,8.75,2026-01-01,\n" +
		"0450,,,500.00,2026-01-01,\n" +
		"ZZ010,,,9999999999999.99,2026-01-01,\n"
	testRVUs = rbrvsHdr +
		"ZZ003,,1.00,1.20,0.80,0.10,2026-01-01,\n" +
		"ZZ004,26,0.75,0.30,0.30,0.04,2026-01-01,\n" +
		"ZZ005,,0.01,0,0,0,2026-01-01,\n" +
		"ZZ099,,99999.9999,99999.9999,99999.9999,99999.9999,2026-01-01,\n"
	testGPCI = gpciHdr +
		"00,1.0000,1.0000,1.0000\n" +
		"01,1.0000,0.9650,0.5520\n" +
		"MAX,99.9999,99.9999,99.9999\n"
	testPerDiem = perDiemHdr +
		"0120,2000.00,2026-01-01,\n" +
		"0200,3600.00,2026-01-01,\n" +
		"11,1500.00,2026-01-01,\n"
	testDRG = drgHdr +
		"470,1.5,2025-10-01,\n" +
		"291,1.2345,2025-10-01,\n"
	testCaseRates = "drg_or_code,amount\n" +
		"470,14500.00\n" +
		"ZZ009,2500.00\n" +
		"0450,900.00\n"
)

func testSource(t testing.TB) *MemorySource {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	fee, err := LoadFeeSchedule(strings.NewReader(testFees))
	must(err)
	rvu, err := LoadRBRVSSchedule(strings.NewReader(testRVUs))
	must(err)
	gpci, err := LoadGPCITable(strings.NewReader(testGPCI))
	must(err)
	pd, err := LoadPerDiemSchedule(strings.NewReader(testPerDiem))
	must(err)
	drg, err := LoadDRGSchedule(strings.NewReader(testDRG))
	must(err)
	cr, err := LoadCaseRateSchedule(strings.NewReader(testCaseRates))
	must(err)
	return &MemorySource{
		Fee: map[string]*FeeSchedule{"fee": fee}, RBRVS: map[string]*RBRVSSchedule{"rvu": rvu},
		GPCI: map[string]*GPCITable{"gpci": gpci}, PerDiem: map[string]*PerDiemSchedule{"pd": pd},
		DRG: map[string]*DRGSchedule{"drg": drg}, CaseRate: map[string]*CaseRateSchedule{"case": cr},
	}
}

// testContracts: one contract per payer ID so each test picks its method by
// PayerID.
func testContracts() []Contract {
	inst := []Match{{ClaimType: Institutional}}
	on := func(payer string, ms []Match) []Match {
		out := make([]Match, len(ms))
		for i, m := range ms {
			m.PayerID = payer
			out[i] = m
		}
		return out
	}
	any := []Match{{}}
	rb := func(id, loc string, bp int64) Contract {
		return Contract{ID: id, Match: on(id, any), Method: RBRVS, ConversionFactor: 334009, RBRVSPercent: bp,
			Locality: loc, Schedules: ScheduleRefs{RBRVS: "rvu", GPCI: "gpci"},
			Unpriced: UnpricedRule{Action: UnpricedPercentOfCharges, Percent: 5000}}
	}
	return []Contract{
		{ID: "FEE", Match: on("FEE", any), Method: LesserOfFee, Schedules: ScheduleRefs{Fee: "fee"}},
		{ID: "FEEPCT", Match: on("FEEPCT", any), Method: LesserOfFee, Schedules: ScheduleRefs{Fee: "fee"},
			Unpriced: UnpricedRule{Action: UnpricedPercentOfCharges, Percent: 5000}},
		{ID: "PCT70", Match: on("PCT70", any), Method: PercentOfCharges, Percent: 7000},
		{ID: "PCT625", Match: on("PCT625", any), Method: PercentOfCharges, Percent: 6250},
		{ID: "PCT100", Match: on("PCT100", any), Method: PercentOfCharges, Percent: 10000},
		rb("RB100", "00", 10000),
		rb("RB140", "00", 14000),
		rb("RB01", "01", 14000),
		func() Contract {
			c := rb("RBMAX", "MAX", 100000)
			c.ConversionFactor = 999_999_999 // $99,999.9999
			return c
		}(),
		{ID: "PD", Match: on("PD", inst), Method: PerDiem, Schedules: ScheduleRefs{PerDiem: "pd"}},
		{ID: "PDCAP", Match: on("PDCAP", inst), Method: PerDiem, CapAtBilled: true, Schedules: ScheduleRefs{PerDiem: "pd"},
			Unpriced: UnpricedRule{Reason: "T5"}},
		{ID: "DRG", Match: on("DRG", inst), Method: DRG, BaseRateCents: 600000, Schedules: ScheduleRefs{DRG: "drg"},
			Unpriced: UnpricedRule{Action: UnpricedPercentOfCharges, Percent: 6000}},
		{ID: "DRG2", Match: on("DRG2", inst), Method: DRG, BaseRateCents: 654321, MethodCode: "10", Schedules: ScheduleRefs{DRG: "drg"}},
		{ID: "CASE", Match: on("CASE", any), Method: CaseRate, Schedules: ScheduleRefs{CaseRate: "case"}},
	}
}

func testEngine(t testing.TB, cfg *Config) *Engine {
	t.Helper()
	tab, err := NewContractTable(testContracts())
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(context.Background(), testSource(t), tab, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// prof builds a professional claim (POS 11, 2026-03-02) billed at the sum
// of its line charges; lines are numbered from 1 and default to 1 unit.
func prof(payer string, lines ...Line) Claim {
	c := Claim{ID: "T1", Type: Professional, BillingNPI: npiA, PayerID: payer, POS: "11",
		StatementFrom: 20260302, StatementTo: 20260302, Lines: lines}
	for i := range c.Lines {
		l := &c.Lines[i]
		l.No = i + 1
		if l.Units == 0 {
			l.Units = 1000
		}
		if l.UnitBasis == "" {
			l.UnitBasis = "UN"
		}
		c.BilledCents += l.ChargeCents
	}
	return c
}

// inpatient builds an 837I inpatient claim (TOB 111) admitted 2026-03-01,
// discharged 2026-03-04 (3 days), billed at the sum of its line charges.
func inpatient(payer string, lines ...Line) Claim {
	c := prof(payer, lines...)
	c.Type, c.POS, c.TypeOfBill = Institutional, "", "111"
	c.Admission, c.Discharge, c.StatementFrom, c.StatementTo = 20260301, 20260304, 20260301, 20260304
	return c
}

func pr(code string, allowed, savings int64) Pricing {
	return Pricing{MethodCode: code, AllowedCents: allowed, SavingsCents: savings}
}

// feeLine is the expected result of a line priced from the fee schedule;
// sched is fee × units before the lesser-of cap.
func feeLine(no int, allowed, charge, sched int64) LinePricing {
	return LinePricing{No: no, Pricing: pr("02", allowed, charge-allowed), Priced: true, ScheduleCents: sched}
}

func methodLine(no int, code string, allowed, charge, sched int64) LinePricing {
	return LinePricing{No: no, Pricing: pr(code, allowed, charge-allowed), Priced: true, ScheduleCents: sched}
}

func deniedLine(no int, reason string, charge int64) LinePricing {
	p := pr("00", 0, charge)
	p.DenyReason = reason
	return LinePricing{No: no, Pricing: p}
}

func fallbackLine(no int, allowed, charge int64) LinePricing {
	return LinePricing{No: no, Pricing: pr("03", allowed, charge-allowed)}
}

func bundledLine(no int, charge int64) LinePricing {
	return LinePricing{No: no, Pricing: pr("04", 0, charge), Priced: true, Bundled: true}
}

func claimP(code string, allowed, billed int64) ClaimPricing {
	return ClaimPricing{Pricing: pr(code, allowed, billed-allowed)}
}

type priceTest struct {
	name  string
	claim Claim
	want  Result
}

func modify(c Claim, f func(*Claim)) Claim { f(&c); return c }

var priceTests = []priceTest{
	// ---- lesser-of fee schedule ----
	{
		name:  "fee: schedule below charge",
		claim: prof("FEE", Line{ProcedureCode: "ZZ001", ChargeCents: 15000}),
		// 100.00 × 1 = 100.00 < 150.00 → 100.00, savings 50.00.
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 10000, 15000),
			Lines: []LinePricing{feeLine(1, 10000, 15000, 10000)}},
	},
	{
		name:  "fee: charge below schedule",
		claim: prof("FEE", Line{ProcedureCode: "ZZ001", ChargeCents: 8000}),
		// min(80.00, 100.00) = 80.00, savings 0.
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 8000, 8000),
			Lines: []LinePricing{feeLine(1, 8000, 8000, 10000)}},
	},
	{
		name:  "fee: fractional units round half up",
		claim: prof("FEE", Line{ProcedureCode: "A0425", Units: 12500, ChargeCents: 20000}),
		// 8.75 × 12.5 = 109.375 → 109.38.
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 10938, 20000),
			Lines: []LinePricing{feeLine(1, 10938, 20000, 10938)}},
	},
	{
		name:  "fee: tiny amount",
		claim: prof("FEE", Line{ProcedureCode: "ZZ002", Units: 100, ChargeCents: 100}, Line{ProcedureCode: "ZZ002", Units: 99, ChargeCents: 100}),
		// 0.05 × 0.1 = 0.005 → 0.01; 0.05 × 0.099 = 0.00495 → 0.00.
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 1, 200),
			Lines: []LinePricing{feeLine(1, 1, 100, 1), feeLine(2, 0, 100, 0)}},
	},
	{
		name:  "fee: multiple units",
		claim: prof("FEE", Line{ProcedureCode: "ZZ003", Units: 3000, ChargeCents: 12000}),
		// 33.33 × 3 = 99.99.
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 9999, 12000),
			Lines: []LinePricing{feeLine(1, 9999, 12000, 9999)}},
	},
	{
		name:  "fee: zero charge",
		claim: prof("FEE", Line{ProcedureCode: "ZZ001", ChargeCents: 0}),
		// min(0, 100.00) = 0; savings 0; still priced by the schedule.
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 0, 0),
			Lines: []LinePricing{feeLine(1, 0, 0, 10000)}},
	},
	{
		name: "fee: missing units priced as one unit",
		claim: modify(prof("FEE", Line{ProcedureCode: "ZZ001", ChargeCents: 15000}), func(c *Claim) {
			c.Lines[0].Units, c.Lines[0].UnitBasis = 0, ""
		}),
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 10000, 15000),
			Lines: []LinePricing{func() LinePricing {
				l := feeLine(1, 10000, 15000, 10000)
				l.UnitBasis, l.ApprovedUnits = "UN", 1000
				return l
			}()}},
	},
	{
		name: "fee: modifier and line POS",
		claim: prof("FEE",
			Line{ProcedureCode: "ZZ001", Modifiers: []string{"26"}, ChargeCents: 15000}, // code+modifier 40.00
			Line{ProcedureCode: "ZZ001", POS: "22", ChargeCents: 15000},                 // code+POS 90.00
			Line{ProcedureCode: "ZZ001", Modifiers: []string{"59"}, ChargeCents: 15000}, // code alone 100.00
		),
		// 40.00 + 90.00 + 100.00 = 230.00 of 450.00.
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 23000, 45000),
			Lines: []LinePricing{feeLine(1, 4000, 15000, 4000), feeLine(2, 9000, 15000, 9000), feeLine(3, 10000, 15000, 10000)}},
	},
	{
		name: "fee: effective boundaries",
		claim: prof("FEE",
			Line{ProcedureCode: "ZZ001", ChargeCents: 15000, ServiceDate: 20260630}, // last day of 100.00
			Line{ProcedureCode: "ZZ001", ChargeCents: 15000, ServiceDate: 20260701}, // first day of 110.00
			Line{ProcedureCode: "ZZ001", ChargeCents: 15000, ServiceDate: 20251231}, // before: unpriced
		),
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 21000, 45000),
			Lines: []LinePricing{feeLine(1, 10000, 15000, 10000), feeLine(2, 11000, 15000, 11000), deniedLine(3, "T6", 15000)}},
	},
	{
		name: "fee: revenue code when the procedure code has no row",
		claim: modify(inpatient("FEE",
			Line{RevenueCode: "0450", ProcedureCode: "G0380", ChargeCents: 80000},
			Line{RevenueCode: "0450", ChargeCents: 60000},
		), func(c *Claim) { c.TypeOfBill, c.Admission, c.Discharge = "131", 0, 0 }),
		// 500.00 each.
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 100000, 140000),
			Lines: []LinePricing{feeLine(1, 50000, 80000, 50000), feeLine(2, 50000, 60000, 50000)}},
	},
	{
		name:  "fee: unpriced line denied, claim keeps 02",
		claim: prof("FEE", Line{ProcedureCode: "ZZ001", ChargeCents: 15000}, Line{ProcedureCode: "J3420", ChargeCents: 3000}),
		want: Result{ContractID: "FEE", Method: LesserOfFee, Claim: claimP("02", 10000, 18000),
			Lines: []LinePricing{feeLine(1, 10000, 15000, 10000), deniedLine(2, "T6", 3000)}},
	},
	{
		name:  "fee: every line denied",
		claim: prof("FEE", Line{ProcedureCode: "J3420", ChargeCents: 3000}, Line{ProcedureCode: "G0439", ChargeCents: 2000}),
		want: Result{ContractID: "FEE", Method: LesserOfFee,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "00", SavingsCents: 5000, DenyReason: "T6"}},
			Lines: []LinePricing{deniedLine(1, "T6", 3000), deniedLine(2, "T6", 2000)}},
	},
	{
		name:  "fee: unpriced percent makes a combination",
		claim: prof("FEEPCT", Line{ProcedureCode: "ZZ001", ChargeCents: 15000}, Line{ProcedureCode: "J3420", ChargeCents: 3001}),
		// 100.00 + 50 % × 30.01 = 15.005 → 15.01; total 115.01, HCP01 08.
		want: Result{ContractID: "FEEPCT", Method: LesserOfFee, Claim: claimP("08", 11501, 18001),
			Lines: []LinePricing{feeLine(1, 10000, 15000, 10000), fallbackLine(2, 1501, 3001)}},
	},
	{
		name:  "fee: only unpriced percent lines",
		claim: prof("FEEPCT", Line{ProcedureCode: "J3420", ChargeCents: 3001}),
		want: Result{ContractID: "FEEPCT", Method: LesserOfFee, Claim: claimP("03", 1501, 3001),
			Lines: []LinePricing{fallbackLine(1, 1501, 3001)}},
	},

	// ---- percent of charges ----
	{
		name:  "percent: 70 % of 1,000.00",
		claim: prof("PCT70", Line{ProcedureCode: "ZZ001", ChargeCents: 100000}),
		// 700.00, savings 300.00.
		want: Result{ContractID: "PCT70", Method: PercentOfCharges, Claim: claimP("03", 70000, 100000),
			Lines: []LinePricing{methodLine(1, "03", 70000, 100000, 70000)}},
	},
	{
		name:  "percent: half up per line, claim sums rounded lines",
		claim: prof("PCT70", Line{ProcedureCode: "ZZ001", ChargeCents: 5}, Line{ProcedureCode: "ZZ001", ChargeCents: 5}, Line{ProcedureCode: "ZZ001", ChargeCents: 7}),
		// 0.035 → 0.04, 0.035 → 0.04, 0.049 → 0.05: claim 0.13 (not 70 % × 0.17 = 0.119 → 0.12).
		want: Result{ContractID: "PCT70", Method: PercentOfCharges, Claim: claimP("03", 13, 17),
			Lines: []LinePricing{methodLine(1, "03", 4, 5, 4), methodLine(2, "03", 4, 5, 4), methodLine(3, "03", 5, 7, 5)}},
	},
	{
		name:  "percent: 62.5 %",
		claim: prof("PCT625", Line{ProcedureCode: "ZZ001", ChargeCents: 1}, Line{ProcedureCode: "ZZ001", ChargeCents: 2}, Line{ProcedureCode: "ZZ001", ChargeCents: 0}),
		// 0.00625 → 0.01; 0.0125 → 0.01; 0 → 0.
		want: Result{ContractID: "PCT625", Method: PercentOfCharges, Claim: claimP("03", 2, 3),
			Lines: []LinePricing{methodLine(1, "03", 1, 1, 1), methodLine(2, "03", 1, 2, 1), methodLine(3, "03", 0, 0, 0)}},
	},
	{
		name:  "percent: largest amount",
		claim: prof("PCT70", Line{ProcedureCode: "ZZ001", ChargeCents: MaxCents}),
		// 0.7 × 999,999,999,999,999 = 699,999,999,999,999.3 → …999.
		want: Result{ContractID: "PCT70", Method: PercentOfCharges, Claim: claimP("03", 699_999_999_999_999, MaxCents),
			Lines: []LinePricing{methodLine(1, "03", 699_999_999_999_999, MaxCents, 699_999_999_999_999)}},
	},

	// ---- RBRVS (CF 33.4009) ----
	{
		name:  "rbrvs: worked example at 100 %",
		claim: prof("RB100", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}),
		// (1.00×1 + 1.20×1 + 0.10×1) × 33.4009 = 2.30 × 33.4009 = 76.82207 → 76.82.
		want: Result{ContractID: "RB100", Method: RBRVS, Claim: claimP("02", 7682, 15000),
			Lines: []LinePricing{methodLine(1, "02", 7682, 15000, 7682)}},
	},
	{
		name:  "rbrvs: worked example at 140 %",
		claim: prof("RB140", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}),
		// 76.82207 × 1.4 = 107.550898 → 107.55; billed 150.00 → savings 42.45.
		want: Result{ContractID: "RB140", Method: RBRVS, Claim: claimP("02", 10755, 15000),
			Lines: []LinePricing{methodLine(1, "02", 10755, 15000, 10755)}},
	},
	{
		name:  "rbrvs: facility POS uses facility PE",
		claim: prof("RB140", Line{ProcedureCode: "ZZ003", POS: "22", ChargeCents: 15000}),
		// (1.00 + 0.80 + 0.10) × 33.4009 × 1.4 = 88.846394 → 88.85.
		want: Result{ContractID: "RB140", Method: RBRVS, Claim: claimP("02", 8885, 15000),
			Lines: []LinePricing{methodLine(1, "02", 8885, 15000, 8885)}},
	},
	{
		name:  "rbrvs: units",
		claim: prof("RB140", Line{ProcedureCode: "ZZ003", Units: 3000, ChargeCents: 50000}),
		// 2.30 × 33.4009 × 3 × 1.4 = 322.652694 → 322.65.
		want: Result{ContractID: "RB140", Method: RBRVS, Claim: claimP("02", 32265, 50000),
			Lines: []LinePricing{methodLine(1, "02", 32265, 50000, 32265)}},
	},
	{
		name:  "rbrvs: lesser of billed",
		claim: prof("RB140", Line{ProcedureCode: "ZZ003", ChargeCents: 10000}),
		// min(100.00, 107.55) = 100.00.
		want: Result{ContractID: "RB140", Method: RBRVS, Claim: claimP("02", 10000, 10000),
			Lines: []LinePricing{methodLine(1, "02", 10000, 10000, 10755)}},
	},
	{
		name:  "rbrvs: GPCIs",
		claim: prof("RB01", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}),
		// (1.00×1.0000 + 1.20×0.9650 + 0.10×0.5520) = 2.2132; × 33.4009 × 1.4 = 103.492020632 → 103.49.
		want: Result{ContractID: "RB01", Method: RBRVS, Claim: claimP("02", 10349, 15000),
			Lines: []LinePricing{methodLine(1, "02", 10349, 15000, 10349)}},
	},
	{
		name:  "rbrvs: modifier row",
		claim: prof("RB01", Line{ProcedureCode: "ZZ004", Modifiers: []string{"26"}, ChargeCents: 15000}),
		// (0.75×1 + 0.30×0.9650 + 0.04×0.5520) = 1.06158; × 33.4009 × 1.4 = 49.6408183908 → 49.64.
		want: Result{ContractID: "RB01", Method: RBRVS, Claim: claimP("02", 4964, 15000),
			Lines: []LinePricing{methodLine(1, "02", 4964, 15000, 4964)}},
	},
	{
		name:  "rbrvs: rounded once",
		claim: prof("RB140", Line{ProcedureCode: "ZZ005", ChargeCents: 1000}),
		// 0.01 × 33.4009 × 1.4 = 0.4676126 → 0.47; rounding the 100 % amount
		// first would give 0.33 × 1.4 = 0.462 → 0.46.
		want: Result{ContractID: "RB140", Method: RBRVS, Claim: claimP("02", 47, 1000),
			Lines: []LinePricing{methodLine(1, "02", 47, 1000, 47)}},
	},
	{
		name:  "rbrvs: unpriced code at 50 % makes a combination",
		claim: prof("RB100", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}, Line{ProcedureCode: "A0428", ChargeCents: 40000}),
		// 76.82 + 200.00 = 276.82.
		want: Result{ContractID: "RB100", Method: RBRVS, Claim: claimP("08", 27682, 55000),
			Lines: []LinePricing{methodLine(1, "02", 7682, 15000, 7682), fallbackLine(2, 20000, 40000)}},
	},
	{
		name: "rbrvs: institutional line without POS is facility",
		claim: modify(prof("RB140", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}), func(c *Claim) {
			c.Type, c.POS, c.TypeOfBill = Institutional, "", "131"
		}),
		want: Result{ContractID: "RB140", Method: RBRVS, Claim: claimP("02", 8885, 15000),
			Lines: []LinePricing{methodLine(1, "02", 8885, 15000, 8885)}},
	},
	{
		name: "rbrvs: professional line without any POS is non-facility",
		claim: modify(prof("RB140", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}), func(c *Claim) {
			c.POS = ""
		}),
		want: Result{ContractID: "RB140", Method: RBRVS, Claim: claimP("02", 10755, 15000),
			Lines: []LinePricing{methodLine(1, "02", 10755, 15000, 10755)}},
	},

	// ---- per diem ----
	{
		name: "per diem: worked example",
		claim: inpatient("PD",
			Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 660000},
			Line{RevenueCode: "0250", ChargeCents: 90000}),
		// 2026-03-01..2026-03-04 = 3 days × 2,000.00 = 6,000.00; billed 7,500.00.
		want: Result{ContractID: "PD", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "06", AllowedCents: 600000, SavingsCents: 150000, RateCents: 200000, HasRate: true},
				UnitBasis: "DA", ApprovedUnits: 3000},
			Lines: []LinePricing{bundledLine(1, 660000), bundledLine(2, 90000)}},
	},
	{
		name: "per diem: same-day stay is one day",
		claim: modify(inpatient("PD", Line{RevenueCode: "0120", UnitBasis: "DA", Units: 1000, ChargeCents: 250000}),
			func(c *Claim) { c.Discharge, c.StatementTo = 20260301, 20260301 }),
		want: Result{ContractID: "PD", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "06", AllowedCents: 200000, SavingsCents: 50000, RateCents: 200000, HasRate: true},
				UnitBasis: "DA", ApprovedUnits: 1000},
			Lines: []LinePricing{bundledLine(1, 250000)}},
	},
	{
		name: "per diem: statement through date when no discharge date",
		claim: modify(inpatient("PD", Line{RevenueCode: "0200", UnitBasis: "DA", Units: 5000, ChargeCents: 2000000}),
			func(c *Claim) { c.Discharge, c.StatementTo = 0, 20260306 }),
		// 2026-03-01..2026-03-06 = 5 days × 3,600.00 (ICU rate) = 18,000.00.
		want: Result{ContractID: "PD", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "06", AllowedCents: 1800000, SavingsCents: 200000, RateCents: 360000, HasRate: true},
				UnitBasis: "DA", ApprovedUnits: 5000},
			Lines: []LinePricing{bundledLine(1, 2000000)}},
	},
	{
		name: "per diem: days from DA units without admission date",
		claim: modify(inpatient("PD",
			Line{RevenueCode: "0120", UnitBasis: "DA", Units: 2500, ChargeCents: 500000},
			Line{RevenueCode: "0250", ChargeCents: 10000}),
			func(c *Claim) { c.Admission = 0 }),
		// 2.5 DA units → 2 whole days × 2,000.00 = 4,000.00.
		want: Result{ContractID: "PD", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "06", AllowedCents: 400000, SavingsCents: 110000, RateCents: 200000, HasRate: true},
				UnitBasis: "DA", ApprovedUnits: 2000},
			Lines: []LinePricing{bundledLine(1, 500000), bundledLine(2, 10000)}},
	},
	{
		name:  "per diem: facility type rate when no revenue code has one",
		claim: inpatient("PD", Line{RevenueCode: "0250", ChargeCents: 500000}),
		// TOB 111 → facility type 11 at 1,500.00 × 3 days = 4,500.00.
		want: Result{ContractID: "PD", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "06", AllowedCents: 450000, SavingsCents: 50000, RateCents: 150000, HasRate: true},
				UnitBasis: "DA", ApprovedUnits: 3000},
			Lines: []LinePricing{bundledLine(1, 500000)}},
	},
	{
		name:  "per diem: no rate denies the claim",
		claim: modify(inpatient("PD", Line{RevenueCode: "0250", ChargeCents: 500000}), func(c *Claim) { c.TypeOfBill = "131" }),
		want: Result{ContractID: "PD", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "00", SavingsCents: 500000, DenyReason: "T6"}},
			Lines: []LinePricing{deniedLine(1, "T6", 500000)}},
	},
	{
		name: "per diem: no days denies the claim",
		claim: modify(inpatient("PD", Line{RevenueCode: "0120", ChargeCents: 500000}), func(c *Claim) {
			c.Admission = 0
		}),
		want: Result{ContractID: "PD", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "00", SavingsCents: 500000, DenyReason: "T6"}},
			Lines: []LinePricing{deniedLine(1, "T6", 500000)}},
	},
	{
		name:  "per diem: above billed gives negative savings",
		claim: inpatient("PD", Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 500000}),
		// 6,000.00 allowed on 5,000.00 billed: savings −1,000.00.
		want: Result{ContractID: "PD", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "06", AllowedCents: 600000, SavingsCents: -100000, RateCents: 200000, HasRate: true},
				UnitBasis: "DA", ApprovedUnits: 3000},
			Lines: []LinePricing{bundledLine(1, 500000)}},
	},
	{
		name:  "per diem: capped at billed",
		claim: inpatient("PDCAP", Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 500000}),
		want: Result{ContractID: "PDCAP", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "06", AllowedCents: 500000, SavingsCents: 0, RateCents: 200000, HasRate: true},
				UnitBasis: "DA", ApprovedUnits: 3000},
			Lines: []LinePricing{bundledLine(1, 500000)}},
	},
	{
		name:  "per diem: custom deny reason",
		claim: modify(inpatient("PDCAP", Line{RevenueCode: "0250", ChargeCents: 100}), func(c *Claim) { c.TypeOfBill = "" }),
		want: Result{ContractID: "PDCAP", Method: PerDiem,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "00", SavingsCents: 100, DenyReason: "T5"}},
			Lines: []LinePricing{deniedLine(1, "T5", 100)}},
	},

	// ---- DRG ----
	{
		name:  "drg: worked example",
		claim: modify(inpatient("DRG", Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 1200000}), func(c *Claim) { c.DRG = "470" }),
		// 1.5 × 6,000.00 = 9,000.00; billed 12,000.00.
		want: Result{ContractID: "DRG", Method: DRG,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "07", AllowedCents: 900000, SavingsCents: 300000, RateCents: 600000, HasRate: true},
				DRG: "470", DRGAmountCents: 900000},
			Lines: []LinePricing{bundledLine(1, 1200000)}},
	},
	{
		name:  "drg: weight rounding and method code override",
		claim: modify(inpatient("DRG2", Line{RevenueCode: "0120", ChargeCents: 1000000}), func(c *Claim) { c.DRG = "291" }),
		// 1.2345 × 6,543.21 = 8,077.591745 → 8,077.59.
		want: Result{ContractID: "DRG2", Method: DRG,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "10", AllowedCents: 807759, SavingsCents: 192241, RateCents: 654321, HasRate: true},
				DRG: "291", DRGAmountCents: 807759},
			Lines: []LinePricing{bundledLine(1, 1000000)}},
	},
	{
		name: "drg: missing DRG falls back to 60 % of charges",
		claim: inpatient("DRG", Line{RevenueCode: "0120", ChargeCents: 100001},
			Line{RevenueCode: "0250", ChargeCents: 5000}),
		// 60 % × 1,000.01 = 600.006 → 600.01; 60 % × 50.00 = 30.00.
		want: Result{ContractID: "DRG", Method: DRG, Claim: claimP("03", 63001, 105001),
			Lines: []LinePricing{fallbackLine(1, 60001, 100001), fallbackLine(2, 3000, 5000)}},
	},
	{
		name:  "drg: unknown DRG falls back",
		claim: modify(inpatient("DRG", Line{RevenueCode: "0120", ChargeCents: 100000}), func(c *Claim) { c.DRG = "999" }),
		want: Result{ContractID: "DRG", Method: DRG, Claim: claimP("03", 60000, 100000),
			Lines: []LinePricing{fallbackLine(1, 60000, 100000)}},
	},
	{
		name: "drg: weight effective on the discharge date",
		claim: modify(inpatient("DRG", Line{RevenueCode: "0120", ChargeCents: 100000}), func(c *Claim) {
			c.DRG, c.Admission, c.Discharge, c.StatementFrom, c.StatementTo = "470", 20250928, 20251001, 20250928, 20251001
		}),
		// Weights start 2025-10-01: the stay that ends that day is priced.
		want: Result{ContractID: "DRG", Method: DRG,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "07", AllowedCents: 900000, SavingsCents: -800000, RateCents: 600000, HasRate: true},
				DRG: "470", DRGAmountCents: 900000},
			Lines: []LinePricing{bundledLine(1, 100000)}},
	},

	// ---- case rate ----
	{
		name:  "case rate: by DRG",
		claim: modify(inpatient("CASE", Line{RevenueCode: "0120", ChargeCents: 2000000}), func(c *Claim) { c.DRG = "470" }),
		want: Result{ContractID: "CASE", Method: CaseRate,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "07", AllowedCents: 1450000, SavingsCents: 550000, RateCents: 1450000, HasRate: true}},
			Lines: []LinePricing{bundledLine(1, 2000000)}},
	},
	{
		name:  "case rate: by procedure code on a professional claim",
		claim: prof("CASE", Line{ProcedureCode: "A0428", ChargeCents: 10000}, Line{ProcedureCode: "ZZ009", ChargeCents: 300000}),
		want: Result{ContractID: "CASE", Method: CaseRate,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "07", AllowedCents: 250000, SavingsCents: 60000, RateCents: 250000, HasRate: true}},
			Lines: []LinePricing{bundledLine(1, 10000), bundledLine(2, 300000)}},
	},
	{
		name:  "case rate: by revenue code",
		claim: modify(inpatient("CASE", Line{RevenueCode: "0450", ProcedureCode: "G0380", ChargeCents: 100000}), func(c *Claim) { c.DRG = "291" }),
		want: Result{ContractID: "CASE", Method: CaseRate,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "07", AllowedCents: 90000, SavingsCents: 10000, RateCents: 90000, HasRate: true}},
			Lines: []LinePricing{bundledLine(1, 100000)}},
	},
	{
		name:  "case rate: nothing matches",
		claim: prof("CASE", Line{ProcedureCode: "A0428", ChargeCents: 10000}),
		want: Result{ContractID: "CASE", Method: CaseRate,
			Claim: ClaimPricing{Pricing: Pricing{MethodCode: "00", SavingsCents: 10000, DenyReason: "T6"}},
			Lines: []LinePricing{deniedLine(1, "T6", 10000)}},
	},
}

func TestPrice(t *testing.T) {
	e := testEngine(t, nil)
	for _, tt := range priceTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Price(&tt.claim)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Price:\n got %+v\nwant %+v", got, tt.want)
			}
			checkInvariants(t, &tt.claim, &got)
		})
	}
}

// checkInvariants holds for every result: claim savings = billed −
// allowed; for line-level methods the claim is the exact sum of the lines,
// every line has savings = charge − allowed ≥ 0, and 06 never appears at
// the claim level of an 837P.
func checkInvariants(t *testing.T, c *Claim, r *Result) {
	t.Helper()
	if r.Claim.SavingsCents != c.BilledCents-r.Claim.AllowedCents {
		t.Errorf("claim savings %d != billed %d − allowed %d", r.Claim.SavingsCents, c.BilledCents, r.Claim.AllowedCents)
	}
	if c.Type == Professional && r.Claim.MethodCode == CodePerDiem {
		t.Error("837P claim-level HCP01 06")
	}
	var sum int64
	for i, lp := range r.Lines {
		l := c.Lines[i]
		if lp.SavingsCents != l.ChargeCents-lp.AllowedCents || lp.SavingsCents < 0 {
			t.Errorf("line %d savings %d, charge %d, allowed %d", lp.No, lp.SavingsCents, l.ChargeCents, lp.AllowedCents)
		}
		sum += lp.AllowedCents
	}
	bundled := len(r.Lines) > 0 && r.Lines[0].Bundled
	if !bundled && sum != r.Claim.AllowedCents {
		t.Errorf("claim allowed %d != Σ lines %d", r.Claim.AllowedCents, sum)
	}
}

func TestPriceConfig(t *testing.T) {
	e := testEngine(t, &Config{DRGMethodCode: "10", FacilityPOS: []string{"11"}})
	c := modify(inpatient("DRG", Line{RevenueCode: "0120", ChargeCents: 1200000}), func(c *Claim) { c.DRG = "470" })
	r, err := e.Price(&c)
	if err != nil || r.Claim.MethodCode != "10" {
		t.Errorf("DRG method code = %q, %v; want 10", r.Claim.MethodCode, err)
	}
	// POS 11 is now facility: 88.85; 22 is not: 107.55.
	p := prof("RB140", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}, Line{ProcedureCode: "ZZ003", POS: "22", ChargeCents: 15000})
	r, err = e.Price(&p)
	if err != nil || r.Lines[0].AllowedCents != 8885 || r.Lines[1].AllowedCents != 10755 {
		t.Errorf("facility override: %+v, %v", r.Lines, err)
	}
	for _, bad := range []*Config{{FacilityPOS: []string{"1"}}, {DRGMethodCode: "08"}, {DRGMethodCode: "7"}} {
		tab, _ := NewContractTable(testContracts())
		if _, err := NewEngine(context.Background(), testSource(t), tab, bad); err == nil {
			t.Errorf("config %+v accepted", bad)
		}
	}
}

var priceErrTests = []struct {
	name  string
	claim Claim
	err   error
}{
	{"no lines", Claim{ID: "X", Type: Professional, PayerID: "FEE", StatementFrom: 20260301}, ErrInvalidClaim},
	{"bad type", modify(prof("FEE", Line{ProcedureCode: "ZZ001"}), func(c *Claim) { c.Type = 'X' }), ErrInvalidClaim},
	{"negative charge", prof("FEE", Line{ProcedureCode: "ZZ001", ChargeCents: -1}), ErrInvalidClaim},
	{"charge over max", prof("PCT70", Line{ProcedureCode: "ZZ001", ChargeCents: MaxCents + 1}), ErrInvalidClaim},
	{"negative units", prof("FEE", Line{ProcedureCode: "ZZ001", Units: -1000}), ErrInvalidClaim},
	{"units over max", prof("FEE", Line{ProcedureCode: "ZZ001", Units: MaxUnits + 1}), ErrInvalidClaim},
	{"bad line date", prof("FEE", Line{ProcedureCode: "ZZ001", ServiceDate: 20260230}), ErrInvalidClaim},
	{"bad claim date", modify(prof("FEE", Line{ProcedureCode: "ZZ001"}), func(c *Claim) { c.StatementFrom = 20261301 }), ErrInvalidClaim},
	{"discharge before admission", modify(inpatient("PD", Line{RevenueCode: "0120"}), func(c *Claim) { c.Discharge = 20260228 }), ErrInvalidClaim},
	{"statement reversed", modify(prof("FEE", Line{ProcedureCode: "ZZ001"}), func(c *Claim) { c.StatementTo = 20260301 }), ErrInvalidClaim},
	{"no date at all", modify(prof("FEE", Line{ProcedureCode: "ZZ001"}), func(c *Claim) { c.StatementFrom, c.StatementTo = 0, 0 }), ErrInvalidClaim},
	{"no contract", prof("NOBODY", Line{ProcedureCode: "ZZ001"}), ErrNoContract},
	{"per diem contract is institutional only", prof("PD", Line{RevenueCode: "0120"}), ErrNoContract},
	// 9,999,999,999,999.99 × 2 units exceeds MaxCents.
	{"fee amount overflow", prof("FEE", Line{ProcedureCode: "ZZ010", Units: 2000, ChargeCents: 1}), ErrAmountRange},
	// RVUs and GPCIs at their maxima × 1000 % × 99,999,999.999 units.
	{"rbrvs overflow", prof("RBMAX", Line{ProcedureCode: "ZZ099", Units: MaxUnits, ChargeCents: 1}), ErrAmountRange},
	{"claim total overflow", prof("PCT100", Line{ProcedureCode: "ZZ001", ChargeCents: MaxCents}, Line{ProcedureCode: "ZZ001", ChargeCents: 1}), ErrAmountRange},
}

func TestPriceErrors(t *testing.T) {
	e := testEngine(t, nil)
	for _, tt := range priceErrTests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.claim.BilledCents > MaxCents {
				tt.claim.BilledCents = MaxCents
			}
			_, err := e.Price(&tt.claim)
			if !errors.Is(err, tt.err) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestNewEngineErrors(t *testing.T) {
	ctx := context.Background()
	tab, err := NewContractTable(testContracts())
	if err != nil {
		t.Fatal(err)
	}
	src := testSource(t)
	delete(src.PerDiem, "pd")
	if _, err := NewEngine(ctx, src, tab, nil); !errors.Is(err, ErrScheduleNotFound) || !strings.Contains(err.Error(), "contract PD") {
		t.Errorf("missing schedule error = %v", err)
	}
	loc, err := NewContractTable([]Contract{{ID: "R", Match: []Match{{}}, Method: RBRVS, ConversionFactor: 1, RBRVSPercent: 1,
		Locality: "77", Schedules: ScheduleRefs{RBRVS: "rvu", GPCI: "gpci"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewEngine(ctx, testSource(t), loc, nil); err == nil || !strings.Contains(err.Error(), `locality "77"`) {
		t.Errorf("missing locality error = %v", err)
	}
	if _, err := NewEngine(ctx, testSource(t), nil, nil); err == nil {
		t.Error("nil table accepted")
	}
}

// countingSource counts the schedule look-ups NewEngine makes.
type countingSource struct {
	*MemorySource
	fee int
}

func (c *countingSource) FeeSchedule(ctx context.Context, name string) (*FeeSchedule, error) {
	c.fee++
	return c.MemorySource.FeeSchedule(ctx, name)
}

func TestNewEngineResolvesEachScheduleOnce(t *testing.T) {
	tab, err := NewContractTable(testContracts())
	if err != nil {
		t.Fatal(err)
	}
	src := &countingSource{MemorySource: testSource(t)}
	if _, err := NewEngine(context.Background(), src, tab, nil); err != nil {
		t.Fatal(err)
	}
	// FEE and FEEPCT both name "fee".
	if src.fee != 1 {
		t.Errorf("fee schedule fetched %d times, want 1", src.fee)
	}
}

func TestPriceIntoDoesNotAllocate(t *testing.T) {
	e := testEngine(t, nil)
	claims := []Claim{
		prof("FEE", Line{ProcedureCode: "ZZ001", Modifiers: []string{"26"}, ChargeCents: 15000}, Line{ProcedureCode: "J3420", ChargeCents: 100}),
		prof("RB140", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}, Line{ProcedureCode: "A0428", ChargeCents: 100}),
		prof("PCT70", Line{ProcedureCode: "ZZ001", ChargeCents: 15000}),
		inpatient("PD", Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 600000}),
		modify(inpatient("DRG", Line{RevenueCode: "0120", ChargeCents: 600000}), func(c *Claim) { c.DRG = "470" }),
	}
	var r Result
	for i := range claims {
		c := &claims[i]
		if err := e.PriceInto(c, &r); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = e.PriceInto(c, &r) }); n != 0 {
			t.Errorf("claim %d (%s): %v allocations per PriceInto, want 0", i, c.PayerID, n)
		}
	}
}

func TestPriceIntoResetsResult(t *testing.T) {
	e := testEngine(t, nil)
	big := prof("FEE", Line{ProcedureCode: "J3420", ChargeCents: 100}, Line{ProcedureCode: "ZZ001", ChargeCents: 100}, Line{ProcedureCode: "ZZ001", Units: 0, ChargeCents: 100})
	big.Lines[2].Units = 0
	small := prof("PCT70", Line{ProcedureCode: "ZZ001", ChargeCents: 1000})
	var r Result
	if err := e.PriceInto(&big, &r); err != nil {
		t.Fatal(err)
	}
	if err := e.PriceInto(&small, &r); err != nil {
		t.Fatal(err)
	}
	want, _ := e.Price(&small)
	if !reflect.DeepEqual(r, want) {
		t.Errorf("reused result:\n got %+v\nwant %+v", r, want)
	}
	bad := small
	bad.Lines = nil
	if err := e.PriceInto(&bad, &r); err == nil || r.ContractID != "" || len(r.Lines) != 0 {
		t.Errorf("after error: %+v, %v", r, err)
	}
}

func TestPriceConcurrent(t *testing.T) {
	e := testEngine(t, nil)
	want, err := e.Price(&priceTests[0].claim)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan Result)
	for range 4 {
		go func() {
			var r Result
			for range 200 {
				_ = e.PriceInto(&priceTests[0].claim, &r)
			}
			done <- r
		}()
	}
	for range 4 {
		if r := <-done; !reflect.DeepEqual(r, want) {
			t.Errorf("concurrent result %+v", r)
		}
	}
}
