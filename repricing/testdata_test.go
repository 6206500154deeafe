package repricing

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// schedulesDir holds the repository's synthetic schedules and contracts.
const schedulesDir = "../testdata/schedules"

// loadRepoSchedules loads every schedule in schedulesDir under its file
// name without ".csv" and builds an engine over contracts.yaml.
func loadRepoSchedules(t testing.TB) *Engine {
	t.Helper()
	open := func(name string) *os.File {
		t.Helper()
		f, err := os.Open(filepath.Join(schedulesDir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	fee, err := LoadFeeSchedule(open("fee_professional.csv"))
	must(err)
	rvu, err := LoadRBRVSSchedule(open("rbrvs.csv"))
	must(err)
	gpci, err := LoadGPCITable(open("gpci.csv"))
	must(err)
	pd, err := LoadPerDiemSchedule(open("perdiem.csv"))
	must(err)
	drg, err := LoadDRGSchedule(open("drg.csv"))
	must(err)
	cr, err := LoadCaseRateSchedule(open("case_rate.csv"))
	must(err)
	tab, err := LoadContracts(open("contracts.yaml"))
	must(err)
	src := &MemorySource{
		Fee: map[string]*FeeSchedule{"fee_professional": fee}, RBRVS: map[string]*RBRVSSchedule{"rbrvs": rvu},
		GPCI: map[string]*GPCITable{"gpci": gpci}, PerDiem: map[string]*PerDiemSchedule{"perdiem": pd},
		DRG: map[string]*DRGSchedule{"drg": drg}, CaseRate: map[string]*CaseRateSchedule{"case_rate": cr},
	}
	e, err := NewEngine(context.Background(), src, tab, nil)
	must(err)
	return e
}

// synthProfessional mirrors profProcedures in edi/synth/tables.go: the
// 837P codes (and modifiers) the synthetic claim generator bills. J3420
// and G0439 are deliberately not in fee_professional.csv.
var synthProfessional = []struct {
	code     string
	mods     []string
	unpriced bool
}{
	{code: "A0428"}, {code: "A0425"}, {code: "J1100"}, {code: "J3420", unpriced: true},
	{code: "G0008"}, {code: "G0009"}, {code: "G0439", unpriced: true},
	{code: "E0114", mods: []string{"NU", "RR"}}, {code: "E0601", mods: []string{"RR", "KX"}},
	{code: "L3000", mods: []string{"RT", "LT"}}, {code: "A4253", mods: []string{"KX"}},
	{code: "ZZ001", mods: []string{"GY"}}, {code: "ZZ002"},
}

func TestRepoSchedulesPriceSynthCodes(t *testing.T) {
	e := loadRepoSchedules(t)
	// The generator's service dates fall in the year before its envelope
	// date (default 2025-01-15), so check both ends of 2024 through 2026.
	for _, dos := range []Date{20240101, 20241231, 20250615, 20260301} {
		for _, p := range synthProfessional {
			for _, mod := range append([]string{""}, p.mods...) {
				l := Line{ProcedureCode: p.code, ChargeCents: 1_000_000}
				if mod != "" {
					l.Modifiers = []string{mod}
				}
				c := prof("2712", l)
				c.StatementFrom, c.StatementTo = dos, dos
				r, err := e.Price(&c)
				if err != nil {
					t.Fatal(err)
				}
				if r.ContractID != "ALLIANCE-PROF" || r.Lines[0].Priced == p.unpriced {
					t.Errorf("%s %s %s: contract %s priced=%v, want unpriced=%v", dos, p.code, mod, r.ContractID, r.Lines[0].Priced, p.unpriced)
				}
				// Unpriced lines take the contract's 50 % of charges.
				if p.unpriced && (r.Lines[0].MethodCode != "03" || r.Lines[0].AllowedCents != 500_000) {
					t.Errorf("%s %s: unpriced line %+v", dos, p.code, r.Lines[0])
				}
			}
		}
	}
}

var repoClaimTests = []struct {
	name     string
	claim    Claim
	contract string
	code     string
	allowed  int64
}{
	{
		name: "2712 professional lesser-of with an unpriced line",
		claim: modify(prof("2712",
			Line{ProcedureCode: "A0428", ChargeCents: 45000},                           // 2025 fee 310.00
			Line{ProcedureCode: "A0425", Units: 12000, ChargeCents: 12000},             // 8.50 × 12 = 102.00
			Line{ProcedureCode: "E0114", Modifiers: []string{"RR"}, ChargeCents: 6000}, // RR row 12.50
			Line{ProcedureCode: "G0008", ChargeCents: 4000},                            // POS 11 row 30.00
			Line{ProcedureCode: "J3420", ChargeCents: 3001},                            // unpriced: 50 % = 15.005 → 15.01
		), func(c *Claim) { c.StatementFrom, c.StatementTo = 20250615, 20250615 }),
		// 310.00 + 102.00 + 12.50 + 30.00 + 15.01 = 469.51; 02 and 03 → 08.
		contract: "ALLIANCE-PROF", code: "08", allowed: 46951,
	},
	{
		name: "1935 inpatient per diem",
		claim: modify(inpatient("1935",
			Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 540000},
			Line{RevenueCode: "0250", ChargeCents: 12000}),
			func(c *Claim) {
				c.Admission, c.Discharge, c.StatementFrom, c.StatementTo = 20250610, 20250613, 20250610, 20250613
			}),
		// 3 days × 1,800.00 (0120 through 2025) = 5,400.00.
		contract: "ALLIANCE-IP-PERDIEM", code: "06", allowed: 540000,
	},
	{
		name: "1935 inpatient DRG hospital",
		claim: modify(inpatient("1935", Line{RevenueCode: "0120", UnitBasis: "DA", Units: 3000, ChargeCents: 2000000}),
			func(c *Claim) { c.BillingNPI, c.DRG = npiB, "470" }),
		// Discharged 2026-03-04: weight 1.9125 × 6,000.00 = 11,475.00.
		contract: "ALLIANCE-IP-DRG", code: "07", allowed: 1147500,
	},
	{
		name: "1935 outpatient percent",
		claim: modify(inpatient("1935", Line{RevenueCode: "0300", ProcedureCode: "ZZ002", ChargeCents: 10001}),
			func(c *Claim) { c.TypeOfBill, c.Admission, c.Discharge = "131", 0, 0 }),
		// 65 % × 100.01 = 65.0065 → 65.01.
		contract: "ALLIANCE-INST", code: "03", allowed: 6501,
	},
	{
		name: "1935 outpatient case rate capped at billed",
		claim: modify(inpatient("1935", Line{RevenueCode: "0360", ProcedureCode: "ZZ009", ChargeCents: 200000}),
			func(c *Claim) { c.BillingNPI, c.TypeOfBill, c.Admission, c.Discharge = npiC, "131", 0, 0 }),
		// Case rate 2,500.00 capped at billed 2,000.00.
		contract: "ALLIANCE-OP-CASE", code: "07", allowed: 200000,
	},
	{
		name:     "88461 seventy percent",
		claim:    prof("88461", Line{ProcedureCode: "A0428", ChargeCents: 100000}),
		contract: "ALLIANCE-88461", code: "03", allowed: 70000,
	},
	{
		name:     "other payer default",
		claim:    prof("60054", Line{ProcedureCode: "A0428", ChargeCents: 100000}),
		contract: "DEFAULT", code: "03", allowed: 85000,
	},
	{
		name: "group RBRVS at 140 % in locality 01",
		claim: modify(prof("2712", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}),
			func(c *Claim) { c.BillingTIN = "990000001" }),
		// (1.00 + 1.20×0.9650 + 0.10×0.5520) × 33.4009 × 1.4 = 103.492… → 103.49.
		contract: "ALLIANCE-GROUP-RBRVS", code: "02", allowed: 10349,
	},
	{
		name: "group RBRVS contract starts 2026",
		claim: modify(prof("2712", Line{ProcedureCode: "ZZ003", ChargeCents: 15000}),
			func(c *Claim) { c.BillingTIN, c.StatementFrom, c.StatementTo = "990000001", 20251231, 20251231 }),
		// Falls back to the payer contract: ZZ003 fee 76.50.
		contract: "ALLIANCE-PROF", code: "02", allowed: 7650,
	},
}

func TestRepoSchedulesClaims(t *testing.T) {
	e := loadRepoSchedules(t)
	for _, tt := range repoClaimTests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Price(&tt.claim)
			if err != nil {
				t.Fatal(err)
			}
			if r.ContractID != tt.contract || r.Claim.MethodCode != tt.code || r.Claim.AllowedCents != tt.allowed {
				t.Errorf("got %s %s %d, want %s %s %d", r.ContractID, r.Claim.MethodCode, r.Claim.AllowedCents, tt.contract, tt.code, tt.allowed)
			}
			checkInvariants(t, &tt.claim, &r)
		})
	}
}
