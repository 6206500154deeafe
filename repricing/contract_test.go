package repricing

import (
	"errors"
	"strings"
	"testing"
)

// Synthetic NPIs with valid check digits and made-up TINs.
const (
	npiA = "1234567893"
	npiB = "1999999901"
	npiC = "1888888819"
	tinT = "990000001"
)

func TestValidNPI(t *testing.T) {
	for _, tt := range []struct {
		npi string
		ok  bool
	}{
		{"1234567893", true}, {"1999999901", true}, {"1888888819", true}, {"1777777727", true},
		{"1234567890", false}, {"1234567894", false}, {"123456789", false}, {"12345678931", false}, {"123456789X", false},
	} {
		if got := validNPI(tt.npi); got != tt.ok {
			t.Errorf("validNPI(%s) = %v, want %v", tt.npi, got, tt.ok)
		}
	}
}

// pct is a minimal valid contract for tests about matching.
func pct(id string, from, to Date, ms ...Match) Contract {
	return Contract{ID: id, Match: ms, EffectiveFrom: from, EffectiveTo: to, Method: PercentOfCharges, Percent: 5000}
}

func precedenceTable(t *testing.T) *ContractTable {
	t.Helper()
	tab, err := NewContractTable([]Contract{
		pct("DEFAULT", 0, 0, Match{}),
		pct("PAYER", 0, 0, Match{PayerID: "2712"}),
		pct("PAYER-PROF", 0, 0, Match{PayerID: "2712", ClaimType: Professional}),
		pct("NPI", 0, 0, Match{NPI: npiA}),
		// {npi, payer} ties {payer, P} for a professional claim from npiA
		// unless a three-field rule decides; this contract has one.
		pct("NPI-PAYER", 0, 0, Match{NPI: npiA, PayerID: "2712"}, Match{NPI: npiA, PayerID: "2712", ClaimType: Professional}),
		pct("TIN-88461", 0, 0, Match{TIN: tinT, PayerID: "88461"}),
		pct("INST-IP", 0, 0, Match{PayerID: "1935", BillType: "11"}),
		// {payer} alone would tie with NPI for claims from npiA.
		pct("DATED-2025", 20250101, 20251231, Match{PayerID: "5555", ClaimType: Professional}, Match{PayerID: "5555", ClaimType: Institutional}),
		pct("DATED-2026", 20260101, 0, Match{PayerID: "5555", ClaimType: Professional}, Match{PayerID: "5555", ClaimType: Institutional}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

var findTests = []struct {
	name  string
	claim Claim
	want  string // "" = no contract
}{
	{"npi+payer+type beats payer+type", Claim{Type: Professional, BillingNPI: npiA, PayerID: "2712"}, "NPI-PAYER"},
	{"npi+payer beats payer and npi", Claim{Type: Institutional, BillingNPI: npiA, PayerID: "2712"}, "NPI-PAYER"},
	{"npi alone beats default", Claim{Type: Professional, BillingNPI: npiA, PayerID: "9999"}, "NPI"},
	{"payer+type beats payer", Claim{Type: Professional, BillingNPI: npiB, PayerID: "2712"}, "PAYER-PROF"},
	{"payer alone", Claim{Type: Institutional, BillingNPI: npiB, PayerID: "2712"}, "PAYER"},
	{"default", Claim{Type: Professional, BillingNPI: npiB, PayerID: "9999"}, "DEFAULT"},
	{"tin+payer", Claim{Type: Professional, BillingNPI: npiB, BillingTIN: tinT, PayerID: "88461"}, "TIN-88461"},
	{"tin with other payer", Claim{Type: Professional, BillingTIN: tinT, PayerID: "2712"}, "PAYER-PROF"},
	{"bill type 111", Claim{Type: Institutional, PayerID: "1935", TypeOfBill: "111"}, "INST-IP"},
	{"bill type 0111", Claim{Type: Institutional, PayerID: "1935", TypeOfBill: "0111"}, "INST-IP"},
	{"other bill type", Claim{Type: Institutional, PayerID: "1935", TypeOfBill: "131"}, "DEFAULT"},
	{"bill type ignored on professional", Claim{Type: Professional, PayerID: "1935", TypeOfBill: "111"}, "DEFAULT"},
	{"payer is case sensitive and exact", Claim{Type: Professional, PayerID: " 2712"}, "DEFAULT"},
	{"dated last day", Claim{Type: Professional, PayerID: "5555", StatementFrom: 20251231}, "DATED-2025"},
	{"dated first day", Claim{Type: Professional, PayerID: "5555", StatementFrom: 20260101}, "DATED-2026"},
	{"before dated", Claim{Type: Professional, PayerID: "5555", StatementFrom: 20241231}, "DEFAULT"},
	{"admission date selects", Claim{Type: Institutional, PayerID: "5555", Admission: 20251231, StatementFrom: 20260102}, "DATED-2025"},
	{"line date selects", Claim{Type: Professional, PayerID: "5555", Lines: []Line{{ServiceDate: 20260105}, {ServiceDate: 20251230}}}, "DATED-2025"},
}

func TestContractFind(t *testing.T) {
	tab := precedenceTable(t)
	for _, tt := range findTests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.claim
			if c.contractDate() == 0 {
				c.StatementFrom = 20260301
			}
			got, ok := tab.Find(&c)
			if got.ID != tt.want || ok != (tt.want != "") {
				t.Errorf("Find = %q %v, want %q", got.ID, ok, tt.want)
			}
		})
	}
	noDefault, err := NewContractTable([]Contract{pct("ONLY", 0, 0, Match{PayerID: "2712"})})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := noDefault.Find(&Claim{Type: Professional, PayerID: "1", StatementFrom: 20260101}); ok {
		t.Errorf("Find without default = %q, want none", c.ID)
	}
}

// ambiguityTest is a contract table and the ambiguity NewContractTable
// must report (none when wantA is "").
type ambiguityTest struct {
	name      string
	contracts []Contract
	wantA     string // "" = valid table
	wantB     string
	wantMatch string
	wantDate  Date
}

var ambiguityTests = []ambiguityTest{
	{
		name:      "npi vs payer",
		contracts: []Contract{pct("N", 0, 0, Match{NPI: npiA}), pct("P", 0, 0, Match{PayerID: "2712"})},
		wantA:     "N", wantB: "P", wantMatch: "npi=" + npiA + " payer_id=2712", wantDate: MinDate,
	},
	{
		name: "npi vs payer decided by npi+payer",
		contracts: []Contract{pct("N", 0, 0, Match{NPI: npiA}), pct("P", 0, 0, Match{PayerID: "2712"}),
			pct("NP", 0, 0, Match{NPI: npiA, PayerID: "2712"})},
	},
	{
		name: "decider with an extra field does not decide",
		contracts: []Contract{pct("N", 0, 0, Match{NPI: npiA}), pct("P", 0, 0, Match{PayerID: "2712"}),
			pct("NPT", 0, 0, Match{NPI: npiA, PayerID: "2712", ClaimType: Professional})},
		wantA: "N", wantB: "P", wantMatch: "npi=" + npiA + " payer_id=2712", wantDate: MinDate,
	},
	{
		name: "decider covers only part of the overlap",
		contracts: []Contract{pct("N", 20260101, 0, Match{NPI: npiA}), pct("P", 20260101, 0, Match{PayerID: "2712"}),
			pct("NP-H1", 20260101, 20260630, Match{NPI: npiA, PayerID: "2712"})},
		wantA: "N", wantB: "P", wantMatch: "npi=" + npiA + " payer_id=2712", wantDate: 20260701,
	},
	{
		name: "two deciders cover the overlap",
		contracts: []Contract{pct("N", 20260101, 0, Match{NPI: npiA}), pct("P", 20260101, 0, Match{PayerID: "2712"}),
			pct("NP-H1", 20260101, 20260630, Match{NPI: npiA, PayerID: "2712"}),
			pct("NP-H2", 20260701, 0, Match{NPI: npiA, PayerID: "2712"})},
	},
	{
		name: "deciders with a gap",
		contracts: []Contract{pct("N", 20260101, 0, Match{NPI: npiA}), pct("P", 20260101, 0, Match{PayerID: "2712"}),
			pct("NP-H1", 20260101, 20260630, Match{NPI: npiA, PayerID: "2712"}),
			pct("NP-H2", 20260702, 0, Match{NPI: npiA, PayerID: "2712"})},
		wantA: "N", wantB: "P", wantMatch: "npi=" + npiA + " payer_id=2712", wantDate: 20260701,
	},
	{
		name:      "same rule, overlapping by one day",
		contracts: []Contract{pct("OLD", 20250101, 20260101, Match{PayerID: "2712"}), pct("NEW", 20260101, 0, Match{PayerID: "2712"})},
		wantA:     "OLD", wantB: "NEW", wantMatch: "payer_id=2712", wantDate: 20260101,
	},
	{
		name:      "same rule, adjacent ranges",
		contracts: []Contract{pct("OLD", 20250101, 20251231, Match{PayerID: "2712"}), pct("NEW", 20260101, 0, Match{PayerID: "2712"})},
	},
	{
		name:      "two defaults",
		contracts: []Contract{pct("D1", 0, 0, Match{}), pct("D2", 20260101, 0, Match{})},
		wantA:     "D1", wantB: "D2", wantMatch: "default", wantDate: 20260101,
	},
	{
		name:      "claim types differ",
		contracts: []Contract{pct("P", 0, 0, Match{PayerID: "2712", ClaimType: Professional}), pct("I", 0, 0, Match{PayerID: "2712", ClaimType: Institutional})},
	},
	{
		name:      "bill type vs claim type",
		contracts: []Contract{pct("IP", 0, 0, Match{PayerID: "1935", BillType: "11"}), pct("NT", 0, 0, Match{NPI: npiA, PayerID: "1935", ClaimType: Institutional})},
		wantA:     "IP", wantB: "NT", wantMatch: "npi=" + npiA + " payer_id=1935 claim_type=I bill_type=11", wantDate: MinDate,
	},
	{
		name:      "rules of one contract never tie",
		contracts: []Contract{pct("X", 0, 0, Match{NPI: npiA}, Match{PayerID: "2712"})},
	},
	{
		name:      "different payers",
		contracts: []Contract{pct("A", 0, 0, Match{NPI: npiA, PayerID: "1"}), pct("B", 0, 0, Match{TIN: tinT, PayerID: "2"})},
	},
}

func TestContractAmbiguity(t *testing.T) {
	runAmbiguityTests(t, ambiguityTests)
}

func runAmbiguityTests(t *testing.T, tests []ambiguityTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewContractTable(tt.contracts)
			if tt.wantA == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var ae *AmbiguityError
			if !errors.As(err, &ae) || !errors.Is(err, ErrAmbiguousContracts) {
				t.Fatalf("error = %v, want *AmbiguityError", err)
			}
			if ae.A != tt.wantA || ae.B != tt.wantB || ae.Match.String() != tt.wantMatch || ae.Date != tt.wantDate {
				t.Errorf("got %s/%s %q %s, want %s/%s %q %s", ae.A, ae.B, ae.Match, ae.Date, tt.wantA, tt.wantB, tt.wantMatch, tt.wantDate)
			}
		})
	}
}

var contractValidationTests = []struct {
	name string
	c    Contract
	want string // substring of the error
}{
	{"no id", Contract{Match: []Match{{}}, Method: PercentOfCharges, Percent: 1}, "id is required"},
	{"no rules", Contract{ID: "X", Method: PercentOfCharges, Percent: 1}, "no match rules"},
	{"no method", Contract{ID: "X", Match: []Match{{}}}, "method is required"},
	{"percent over 100", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges, Percent: 10001}, "percent: 100.01 % outside"},
	{"percent missing", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges}, "percent is required"},
	{"fee schedule missing", Contract{ID: "X", Match: []Match{{}}, Method: LesserOfFee}, "fee_schedule is required"},
	{"unused percent", Contract{ID: "X", Match: []Match{{}}, Method: LesserOfFee, Percent: 5000, Schedules: ScheduleRefs{Fee: "f"}}, "percent is not used by method lesser_of_fee"},
	{"unused schedule", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges, Percent: 1, Schedules: ScheduleRefs{DRG: "d"}}, "drg_schedule is not used"},
	{"cap on line method", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges, Percent: 1, CapAtBilled: true}, "cap_at_billed is not used"},
	{"rbrvs needs cf", Contract{ID: "X", Match: []Match{{}}, Method: RBRVS, RBRVSPercent: 10000, Locality: "01", Schedules: ScheduleRefs{RBRVS: "r", GPCI: "g"}}, "conversion_factor is required"},
	{"rbrvs percent", Contract{ID: "X", Match: []Match{{}}, Method: RBRVS, ConversionFactor: 334009, RBRVSPercent: 100001, Locality: "01", Schedules: ScheduleRefs{RBRVS: "r", GPCI: "g"}}, "rbrvs_percent"},
	{"per diem on any type", Contract{ID: "X", Match: []Match{{PayerID: "1935"}}, Method: PerDiem, Schedules: ScheduleRefs{PerDiem: "p"}}, "needs claim_type I"},
	{"drg on professional", Contract{ID: "X", Match: []Match{{ClaimType: Professional}}, Method: DRG, BaseRateCents: 1, Schedules: ScheduleRefs{DRG: "d"}}, "needs claim_type I"},
	{"drg base rate", Contract{ID: "X", Match: []Match{{ClaimType: Institutional}}, Method: DRG, Schedules: ScheduleRefs{DRG: "d"}}, "base_rate is required"},
	{"method code 06 on 837P", Contract{ID: "X", Match: []Match{{}}, Method: CaseRate, MethodCode: "06", Schedules: ScheduleRefs{CaseRate: "c"}}, "not allowed on 837P"},
	{"method code 08", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges, Percent: 1, MethodCode: "08"}, "08 is computed"},
	{"method code 15", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges, Percent: 1, MethodCode: "15"}, "method_code"},
	{"deny reason", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges, Percent: 1, Unpriced: UnpricedRule{Reason: "T7"}}, "T1..T6"},
	{"unpriced percent", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges, Percent: 1, Unpriced: UnpricedRule{Action: UnpricedPercentOfCharges, Percent: 10001}}, "unpriced percent"},
	{"unpriced reason with percent", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges, Percent: 1, Unpriced: UnpricedRule{Action: UnpricedPercentOfCharges, Reason: "T6"}}, "only for deny"},
	{"bad npi", Contract{ID: "X", Match: []Match{{NPI: "1234567890"}}, Method: PercentOfCharges, Percent: 1}, "check digit"},
	{"bad tin", Contract{ID: "X", Match: []Match{{TIN: "99-0000001"}}, Method: PercentOfCharges, Percent: 1}, "nine digits"},
	{"bill type on professional", Contract{ID: "X", Match: []Match{{ClaimType: Professional, BillType: "11"}}, Method: PercentOfCharges, Percent: 1}, "bill_type needs claim_type I"},
	{"padded payer", Contract{ID: "X", Match: []Match{{PayerID: "2712 "}}, Method: PercentOfCharges, Percent: 1}, "surrounding spaces"},
	{"dates reversed", Contract{ID: "X", Match: []Match{{}}, Method: PercentOfCharges, Percent: 1, EffectiveFrom: 20260201, EffectiveTo: 20260131}, "effective_to before"},
}

func TestContractValidation(t *testing.T) {
	for _, tt := range contractValidationTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewContractTable([]Contract{tt.c})
			var ce *ContractError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want *ContractError containing %q", err, tt.want)
			}
		})
	}
	// Duplicate IDs.
	_, err := NewContractTable([]Contract{pct("X", 0, 0, Match{PayerID: "1"}), pct("X", 0, 0, Match{PayerID: "2"})})
	if err == nil || !strings.Contains(err.Error(), "duplicate id") {
		t.Errorf("duplicate id error = %v", err)
	}
	// A bill type implies institutional, so per diem accepts it.
	tab, err := NewContractTable([]Contract{{ID: "IP", Match: []Match{{BillType: "11"}}, Method: PerDiem, Schedules: ScheduleRefs{PerDiem: "p"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := tab.Contracts()[0]; c.Match[0].ClaimType != Institutional || c.Unpriced.Reason != "T6" || c.EffectiveTo != MaxDate {
		t.Errorf("normalised contract = %+v", c)
	}
}

const contractsYAML = `# test contracts
contracts:
  - id: PROF
    effective_from: 2026-01-01
    effective_to: 2026-12-31
    match:
      - {payer_id: "2712", claim_type: P}
      - npi: "1234567893"
        tin: "990000001"
    method: lesser_of_fee
    schedules: {fee: fee}
    unpriced: {action: percent_of_charges, percent: 62.5}
  - id: RBRVS
    match: [{payer_id: 2713}]
    method: rbrvs
    conversion_factor: 33.4009
    rbrvs_percent: 140%
    locality: 01
    schedules: {rbrvs: rvu, gpci: gpci}
  - id: DRG
    match: [{payer_id: "1935", bill_type: "11"}]
    method: drg
    base_rate: 6000.00
    cap_at_billed: true
    method_code: "10"
    schedules: {drg: drg}
    unpriced: {action: deny, reason: T5}
  - id: DEFAULT
    default: true
    method: percent_of_charges
    percent: 70
`

func TestLoadContracts(t *testing.T) {
	tab, err := LoadContracts(strings.NewReader(contractsYAML))
	if err != nil {
		t.Fatal(err)
	}
	cs := tab.Contracts()
	if len(cs) != 4 {
		t.Fatalf("%d contracts", len(cs))
	}
	prof, rb, drg, def := cs[0], cs[1], cs[2], cs[3]
	if prof.EffectiveFrom != 20260101 || prof.EffectiveTo != 20261231 || len(prof.Match) != 2 ||
		prof.Match[1] != (Match{NPI: npiA, TIN: tinT}) || prof.Schedules.Fee != "fee" ||
		prof.Unpriced != (UnpricedRule{Action: UnpricedPercentOfCharges, Percent: 6250}) {
		t.Errorf("PROF = %+v", prof)
	}
	// Unquoted YAML numbers are read as text: 2713 and 01 stay strings,
	// 33.4009 is exactly 334009.
	if rb.Match[0].PayerID != "2713" || rb.Locality != "01" || rb.ConversionFactor != 334009 || rb.RBRVSPercent != 14000 {
		t.Errorf("RBRVS = %+v", rb)
	}
	if drg.BaseRateCents != 600000 || !drg.CapAtBilled || drg.MethodCode != "10" || drg.Unpriced.Reason != "T5" ||
		drg.Match[0].ClaimType != Institutional {
		t.Errorf("DRG = %+v", drg)
	}
	if def.Percent != 7000 || len(def.Match) != 1 || def.Match[0] != (Match{}) {
		t.Errorf("DEFAULT = %+v", def)
	}
}

var contractsYAMLErrTests = []struct {
	name string
	in   string // § marks the expected line and column (1-based)
	want string
}{
	{"unknown top key", "§contract: []\n", "unknown key"},
	{"not a list", "contracts:\n  §id: X\n", "want a top-level"},
	{"unknown contract key", "contracts:\n  - id: X\n    §methd: rbrvs\n", `unknown key "methd"`},
	{"bad method", "contracts:\n  - id: X\n    method: §lesser_of\n", "unknown method"},
	{"bad date", "contracts:\n  - id: X\n    effective_from: §2026-02-30\n", "invalid date"},
	{"percent decimals", "contracts:\n  - id: X\n    percent: §70.125\n", "decimal places"},
	{"cf decimals", "contracts:\n  - id: X\n    conversion_factor: §33.40091\n", "decimal places"},
	{"negative base", "contracts:\n  - id: X\n    base_rate: §-6000\n", "base_rate"},
	{"bool", "contracts:\n  - id: X\n    cap_at_billed: §yes\n", "true or false"},
	{"claim type", "contracts:\n  - id: X\n    match: [{claim_type: §Q}]\n", "not P or I"},
	{"match key", "contracts:\n  - id: X\n    match: [{§payer: \"1\"}]\n", `unknown key "payer"`},
	{"match npi", "contracts:\n  - id: X\n    match:\n      - §npi: \"1234567890\"\n", "check digit"},
	{"schedule key", "contracts:\n  - id: X\n    schedules: {§fees: f}\n", `unknown key "fees"`},
	{"unpriced action", "contracts:\n  - id: X\n    unpriced: {action: §ignore}\n", "not deny or percent_of_charges"},
	{"duplicate key", "contracts:\n  - id: X\n    percent: 1\n    §percent: 2\n", "duplicate key"},
	{"list value", "contracts:\n  - id: X\n    percent: §[1]\n", "want a single value"},
	{"semantic error at contract", "contracts:\n  - id: OK\n    default: true\n    method: percent_of_charges\n    percent: 1\n  - §id: BAD\n    method: lesser_of_fee\n    match: [{payer_id: \"1\"}]\n", "fee_schedule is required"},
}

func TestLoadContractsErrors(t *testing.T) {
	for _, tt := range contractsYAMLErrTests {
		t.Run(tt.name, func(t *testing.T) {
			i := strings.Index(tt.in, "§")
			before := tt.in[:i]
			line := strings.Count(before, "\n") + 1
			col := len([]rune(before[strings.LastIndex(before, "\n")+1:])) + 1
			_, err := LoadContracts(strings.NewReader(before + tt.in[i+len("§"):]))
			var ce *ContractError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want *ContractError containing %q", err, tt.want)
			}
			if ce.Line != line || ce.Column != col {
				t.Errorf("error at %d:%d, want %d:%d: %v", ce.Line, ce.Column, line, col, err)
			}
		})
	}
	if _, err := LoadContracts(strings.NewReader("")); err == nil {
		t.Error("empty file accepted")
	}
	if _, err := LoadContracts(strings.NewReader("contracts: [\n")); !errors.Is(err, ErrInvalidContract) {
		t.Errorf("bad yaml error = %v", err)
	}
	amb := "contracts:\n  - {id: A, match: [{npi: \"1234567893\"}], method: percent_of_charges, percent: 1}\n" +
		"  - {id: B, match: [{payer_id: \"1\"}], method: percent_of_charges, percent: 1}\n"
	if _, err := LoadContracts(strings.NewReader(amb)); !errors.Is(err, ErrAmbiguousContracts) {
		t.Errorf("ambiguous yaml error = %v", err)
	}
}

func TestMethodNames(t *testing.T) {
	for m := LesserOfFee; m <= CaseRate; m++ {
		got, err := ParseMethod(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMethod(%q) = %v, %v", m.String(), got, err)
		}
	}
	if s := Method(0).String(); s != "Method(0)" {
		t.Errorf("Method(0) = %q", s)
	}
}

func TestLoadContractsAliases(t *testing.T) {
	in := `contracts:
  - id: A
    match:
      - &inst {payer_id: "1935", claim_type: I}
    method: percent_of_charges
    percent: &p 65
  - id: B
    match: [{npi: "1234567893", payer_id: "1935", claim_type: I}]
    method: percent_of_charges
    percent: *p
`
	tab, err := LoadContracts(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if cs := tab.Contracts(); cs[1].Percent != 6500 || cs[0].Match[0].PayerID != "1935" {
		t.Errorf("contracts = %+v", cs)
	}
}
