package repricing

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tpaTable has TPA rules next to payer rules; no two contracts tie.
func tpaTable(t testing.TB) *ContractTable {
	t.Helper()
	tab, err := NewContractTable([]Contract{
		pct("DEFAULT", 0, 0, Match{}),
		pct("PAYER", 0, 0, Match{PayerID: "2712"}),
		pct("NORTH-2712", 0, 0, Match{PayerID: "2712", TPA: "SYNTH TPA NORTH"}),
		// Written in lower case with outer spaces; stored normalised.
		pct("WEST", 0, 0, Match{TPA: "  synth tpa west "}),
		// {tpa WEST} ties {payer 2712} for a WEST member on 2712 unless
		// this two-field rule decides.
		pct("WEST-2712", 0, 0, Match{TPA: "SYNTH TPA WEST", PayerID: "2712"}),
		pct("ELAN-I", 0, 0, Match{TPA: "tpa élan", ClaimType: Institutional}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestContractFindTPA(t *testing.T) {
	tab := tpaTable(t)
	for _, tt := range []struct {
		name  string
		claim Claim
		want  string
	}{
		{"tpa+payer beats payer", Claim{Type: Professional, PayerID: "2712", TPA: "SYNTH TPA NORTH"}, "NORTH-2712"},
		{"lower case", Claim{Type: Professional, PayerID: "2712", TPA: "synth tpa north"}, "NORTH-2712"},
		{"mixed case and outer spaces", Claim{Type: Professional, PayerID: "2712", TPA: "  Synth Tpa North\t"}, "NORTH-2712"},
		{"inner spaces count", Claim{Type: Professional, PayerID: "2712", TPA: "SYNTH  TPA NORTH"}, "PAYER"},
		{"no tpa falls to payer", Claim{Type: Professional, PayerID: "2712"}, "PAYER"},
		{"spaces only is no tpa", Claim{Type: Professional, PayerID: "2712", TPA: "   "}, "PAYER"},
		{"other tpa falls to payer", Claim{Type: Professional, PayerID: "2712", TPA: "SYNTH TPA SOUTH"}, "PAYER"},
		{"tpa+payer beats tpa", Claim{Type: Professional, PayerID: "2712", TPA: "SYNTH TPA WEST"}, "WEST-2712"},
		{"tpa alone beats default", Claim{Type: Professional, PayerID: "88461", TPA: "synth tpa west"}, "WEST"},
		{"tpa with many outer spaces", Claim{Type: Professional, PayerID: "88461", TPA: strings.Repeat(" ", 70) + "SYNTH TPA WEST" + strings.Repeat(" ", 70)}, "WEST"},
		{"no partial tpa", Claim{Type: Professional, PayerID: "88461", TPA: "WEST"}, "DEFAULT"},
		{"longer tpa", Claim{Type: Professional, PayerID: "88461", TPA: "SYNTH TPA WEST 2"}, "DEFAULT"},
		{"too long tpa", Claim{Type: Professional, PayerID: "88461", TPA: strings.Repeat("W", 61)}, "DEFAULT"},
		{"no tpa falls to default", Claim{Type: Professional, PayerID: "88461"}, "DEFAULT"},
		{"non-ASCII tpa", Claim{Type: Institutional, PayerID: "88461", TPA: " Tpa Élan "}, "ELAN-I"},
		{"non-ASCII tpa other type", Claim{Type: Professional, PayerID: "88461", TPA: "TPA ÉLAN"}, "DEFAULT"},
		// strings.ToUpper, as routing uses, maps U+017F (long s) to S.
		{"unicode upper case like routing", Claim{Type: Professional, PayerID: "88461", TPA: "\u017fynth tpa we\u017ft"}, "WEST"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.claim
			c.StatementFrom = 20260301
			got, ok := tab.Find(&c)
			if got.ID != tt.want || !ok {
				t.Errorf("Find = %q %v, want %q", got.ID, ok, tt.want)
			}
		})
	}
	var west Contract
	for _, c := range tab.Contracts() {
		if c.ID == "WEST" {
			west = c
		}
	}
	if west.Match[0].TPA != "SYNTH TPA WEST" {
		t.Errorf("validated WEST rule TPA = %q, want %q", west.Match[0].TPA, "SYNTH TPA WEST")
	}
}

// TestContractTPAEngine prices through the repository's contracts.yaml:
// only a SYNTH TPA CENTRAL member's 88461 professional claim takes
// ALLIANCE-PROF's tpa rule.
func TestContractTPAEngine(t *testing.T) {
	e := loadRepoSchedules(t)
	for _, tt := range []struct {
		name, tpa, contract string
		inst                bool
		allowed             int64
	}{
		// 837P lines A0428 450.00 and ZZ002 90.00 on 2026-03-02.
		{"no tpa", "", "ALLIANCE-88461", false, 31500 + 6300},                        // 70 % of charges
		{"other tpa", "SYNTH TPA WEST", "ALLIANCE-88461", false, 31500 + 6300},       // 70 % of charges
		{"central", " synth tpa central ", "ALLIANCE-PROF", false, 32500 + 4000},     // 2026 fees 325.00, 40.00
		{"central institutional", "SYNTH TPA CENTRAL", "ALLIANCE-88461", true, 8400}, // 70 % of 120.00
	} {
		c := prof("88461", Line{ProcedureCode: "A0428", ChargeCents: 45000}, Line{ProcedureCode: "ZZ002", ChargeCents: 9000})
		if tt.inst {
			c = inpatient("88461", Line{RevenueCode: "0250", ChargeCents: 12000})
		}
		c.TPA = tt.tpa
		r, err := e.Price(&c)
		if err != nil {
			t.Fatal(err)
		}
		if r.ContractID != tt.contract || r.Claim.AllowedCents != tt.allowed {
			t.Errorf("%s: contract %s allowed %d, want %s %d", tt.name, r.ContractID, r.Claim.AllowedCents, tt.contract, tt.allowed)
		}
	}
	// Claims priced before TPAs existed price the same without one and
	// with any fixture roster TPA.
	for _, tpa := range []string{"SYNTH TPA NORTH", "SYNTH TPA SOUTH", "SYNTH TPA WEST", "SYNTH TPA EAST"} {
		for i, c := range benchClaims() {
			want, err := e.Price(&c)
			if err != nil {
				t.Fatal(err)
			}
			c.TPA = tpa
			got, err := e.Price(&c)
			if err != nil {
				t.Fatal(err)
			}
			if got.ContractID != want.ContractID || got.Claim != want.Claim {
				t.Errorf("claim %d with %s: %s %+v, without TPA %s %+v", i, tpa, got.ContractID, got.Claim, want.ContractID, want.Claim)
			}
		}
	}
}

func TestContractAmbiguityTPA(t *testing.T) {
	runAmbiguityTests(t, []ambiguityTest{
		{
			name:      "tpa vs payer",
			contracts: []Contract{pct("T", 0, 0, Match{TPA: "SYNTH TPA WEST"}), pct("P", 0, 0, Match{PayerID: "2712"})},
			wantA:     "T", wantB: "P", wantMatch: `payer_id=2712 tpa="SYNTH TPA WEST"`, wantDate: MinDate,
		},
		{
			name: "tpa vs payer decided by tpa+payer",
			contracts: []Contract{pct("T", 0, 0, Match{TPA: "SYNTH TPA WEST"}), pct("P", 0, 0, Match{PayerID: "2712"}),
				pct("TP", 0, 0, Match{TPA: "synth tpa west", PayerID: "2712"})},
		},
		{
			name: "tpa+payer rule on one of the two contracts",
			contracts: []Contract{pct("T", 0, 0, Match{TPA: "SYNTH TPA WEST"}, Match{TPA: "SYNTH TPA WEST", PayerID: "2712"}),
				pct("P", 0, 0, Match{PayerID: "2712"})},
		},
		{
			name: "tpa+payer covers only from 2026",
			contracts: []Contract{pct("T", 0, 0, Match{TPA: "SYNTH TPA WEST"}), pct("P", 0, 0, Match{PayerID: "2712"}),
				pct("TP", 20260101, 0, Match{TPA: "SYNTH TPA WEST", PayerID: "2712"})},
			wantA: "T", wantB: "P", wantMatch: `payer_id=2712 tpa="SYNTH TPA WEST"`, wantDate: MinDate,
		},
		{
			name: "tpa+claim_type does not cover tpa+payer",
			contracts: []Contract{pct("T", 0, 0, Match{TPA: "SYNTH TPA WEST"}), pct("P", 0, 0, Match{PayerID: "2712"}),
				pct("TT", 0, 0, Match{TPA: "SYNTH TPA WEST", ClaimType: Professional})},
			wantA: "T", wantB: "P", wantMatch: `payer_id=2712 tpa="SYNTH TPA WEST"`, wantDate: MinDate,
		},
		{
			name: "another tpa's tpa+payer rule does not decide",
			contracts: []Contract{pct("T", 0, 0, Match{TPA: "SYNTH TPA WEST"}), pct("P", 0, 0, Match{PayerID: "2712"}),
				pct("NORTH", 0, 0, Match{TPA: "SYNTH TPA NORTH", PayerID: "2712"})},
			wantA: "T", wantB: "P", wantMatch: `payer_id=2712 tpa="SYNTH TPA WEST"`, wantDate: MinDate,
		},
		{
			name: "tpa vs payer on separate dates",
			contracts: []Contract{pct("T", 0, 20251231, Match{TPA: "SYNTH TPA WEST"}),
				pct("P", 20260101, 0, Match{PayerID: "2712"})},
		},
		{
			name:      "same tpa ignoring case and spaces",
			contracts: []Contract{pct("A", 0, 0, Match{TPA: "synth tpa west"}), pct("B", 0, 0, Match{TPA: " SYNTH TPA WEST "})},
			wantA:     "A", wantB: "B", wantMatch: `tpa="SYNTH TPA WEST"`, wantDate: MinDate,
		},
		{
			name:      "different tpas",
			contracts: []Contract{pct("A", 0, 0, Match{TPA: "SYNTH TPA WEST"}), pct("B", 0, 0, Match{TPA: "SYNTH TPA NORTH"})},
		},
		{
			name: "tpa+payer vs npi+payer",
			contracts: []Contract{pct("TP", 0, 0, Match{TPA: "SYNTH TPA WEST", PayerID: "2712"}),
				pct("NP", 20260301, 0, Match{NPI: npiA, PayerID: "2712"})},
			wantA: "TP", wantB: "NP", wantMatch: "npi=" + npiA + ` payer_id=2712 tpa="SYNTH TPA WEST"`, wantDate: 20260301,
		},
		{
			name: "tpa+payer vs npi+payer decided by all three",
			contracts: []Contract{pct("TP", 0, 0, Match{TPA: "SYNTH TPA WEST", PayerID: "2712"}),
				pct("NP", 0, 0, Match{NPI: npiA, PayerID: "2712"}),
				pct("NTP", 0, 0, Match{NPI: npiA, TPA: "SYNTH TPA WEST", PayerID: "2712"})},
		},
		{
			name:      "tpa vs default",
			contracts: []Contract{pct("T", 0, 0, Match{TPA: "SYNTH TPA WEST"}), pct("D", 0, 0, Match{})},
		},
	})
}

func TestContractValidationTPA(t *testing.T) {
	for _, tt := range []struct {
		name, tpa string
		want      string // "" = valid; else a substring of the error
		stored    string // the validated rule's TPA
	}{
		{"plain", "SYNTH TPA WEST", "", "SYNTH TPA WEST"},
		{"normalised", "\u00a0 Synth Tpa West  ", "", "SYNTH TPA WEST"},
		{"60 characters", strings.Repeat("W", 60), "", strings.Repeat("W", 60)},
		{"60 characters and outer spaces", "  " + strings.Repeat("w", 60) + "  ", "", strings.Repeat("W", 60)},
		{"60 non-ASCII characters", strings.Repeat("é", 60), "", strings.Repeat("É", 60)},
		{"61 characters", strings.Repeat("W", 61), "longer than 60 characters", ""},
		{"61 non-ASCII characters", strings.Repeat("É", 61), "longer than 60 characters", ""},
		{"only spaces", "   ", "only spaces", ""},
		{"only no-break spaces", "\u00a0\u00a0", "only spaces", ""},
		{"tab", "SYNTH\tTPA", "control characters", ""},
		{"outer newline", "SYNTH TPA WEST\n", "control characters", ""},
		{"NUL", "SYNTH\x00TPA", "control characters", ""},
		{"DEL", "SYNTH TPA\x7f", "control characters", ""},
		{"C1 control", "SYNTH TPA\u0085", "control characters", ""},
		{"invalid UTF-8", "SYNTH \xff TPA", "not valid UTF-8", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := NewContractTable([]Contract{pct("X", 0, 0, Match{TPA: tt.tpa, PayerID: "2712"})})
			if tt.want != "" {
				var ce *ContractError
				if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidContract) || ce.ID != "X" || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error = %v, want *ContractError for X containing %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tab.Contracts()[0].Match[0].TPA; got != tt.stored {
				t.Errorf("stored TPA %q, want %q", got, tt.stored)
			}
		})
	}
}

func TestMatchStringTPA(t *testing.T) {
	for _, tt := range []struct {
		m    Match
		want string
	}{
		{Match{TPA: "SYNTH TPA WEST"}, `tpa="SYNTH TPA WEST"`},
		{Match{NPI: npiA, TIN: tinT, PayerID: "2712", TPA: "SYNTH TPA WEST", ClaimType: Institutional, BillType: "11"},
			"npi=" + npiA + " tin=" + tinT + ` payer_id=2712 tpa="SYNTH TPA WEST" claim_type=I bill_type=11`},
	} {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
	}
}

func TestLoadContractsTPA(t *testing.T) {
	const in = `contracts:
  - id: WEST-2712
    match:
      - {payer_id: "2712", tpa: " synth tpa west "}
      - tpa: SYNTH TPA WEST
        claim_type: I
    method: percent_of_charges
    percent: 60
  - id: EMPTY-TPA
    match:
      - {payer_id: "88461", tpa: ""}
    method: percent_of_charges
    percent: 70
`
	tab, err := LoadContracts(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	cs := tab.Contracts()
	if len(cs) != 2 || len(cs[0].Match) != 2 ||
		cs[0].Match[0] != (Match{PayerID: "2712", TPA: "SYNTH TPA WEST"}) ||
		cs[0].Match[1] != (Match{TPA: "SYNTH TPA WEST", ClaimType: Institutional}) ||
		cs[1].Match[0] != (Match{PayerID: "88461"}) {
		t.Fatalf("contracts = %+v", cs)
	}
	c := Claim{Type: Professional, PayerID: "2712", TPA: "Synth TPA West", StatementFrom: 20260301}
	if got, ok := tab.Find(&c); !ok || got.ID != "WEST-2712" {
		t.Errorf("Find = %q %v, want WEST-2712", got.ID, ok)
	}

	for _, tt := range []struct {
		name string
		in   string // § marks the expected line and column (1-based)
		want string
	}{
		{"only spaces", "contracts:\n  - id: X\n    match:\n      - §tpa: \"   \"\n", "only spaces"},
		{"tab escape", "contracts:\n  - id: X\n    match: [§{tpa: \"SYNTH\\tTPA\"}]\n", "control characters"},
		{"too long", "contracts:\n  - id: X\n    match: [§{tpa: " + strings.Repeat("W", 61) + "}]\n", "longer than 60"},
		{"list", "contracts:\n  - id: X\n    match: [{tpa: §[A, B]}]\n", "want a single value"},
		{"mapping", "contracts:\n  - id: X\n    match: [{tpa: §{name: A}}]\n", "want a single value"},
		{"misspelt key", "contracts:\n  - id: X\n    match: [{§tpa_name: A}]\n", `unknown key "tpa_name"`},
		{"duplicate key", "contracts:\n  - id: X\n    match: [{tpa: A, §tpa: B}]\n", `duplicate key "tpa"`},
		{"contract-level tpa", "contracts:\n  - id: X\n    §tpa: A\n", `unknown key "tpa"`},
	} {
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

	amb := "contracts:\n  - {id: T, match: [{tpa: SYNTH TPA WEST}], method: percent_of_charges, percent: 1}\n" +
		"  - {id: P, match: [{payer_id: \"2712\"}], method: percent_of_charges, percent: 1}\n"
	var ae *AmbiguityError
	if _, err := LoadContracts(strings.NewReader(amb)); !errors.As(err, &ae) || ae.A != "T" || ae.B != "P" {
		t.Errorf("ambiguous yaml error = %v, want *AmbiguityError T/P", err)
	}
	decided := amb + "  - {id: TP, match: [{tpa: synth tpa west, payer_id: \"2712\"}], method: percent_of_charges, percent: 1}\n"
	if _, err := LoadContracts(strings.NewReader(decided)); err != nil {
		t.Errorf("decided yaml: %v", err)
	}
}

// TestContractTPAID checks the allocation-free claim TPA lookup against
// the normalised form rules are stored in.
func TestContractTPAID(t *testing.T) {
	tab := tpaTable(t)
	for _, s := range []string{
		"", " ", "SYNTH TPA WEST", "synth tpa west", "\t synth TPA west \r\n", "SYNTH TPA NORTH", "SYNTH TPA",
		"SYNTH TPA WEST\x00", "tpa élan", "\u00a0TPA ÉLAN\u00a0", "\u017fynth tpa west", "\xffSYNTH TPA WEST",
		strings.Repeat("W", 61), strings.Repeat(" ", 61) + "synth tpa west", strings.Repeat("é", 61),
	} {
		want := tab.tpas[TPAKey(s)]
		if got := tab.tpaID(s); got != want {
			t.Errorf("tpaID(%q) = %d, want %d", s, got, want)
		}
	}
	if tab.tpaID("synth tpa west") == 0 || tab.tpaID("tpa élan") == 0 {
		t.Error("rule TPAs not found")
	}
	noTPA, err := NewContractTable([]Contract{pct("P", 0, 0, Match{PayerID: "2712"})})
	if err != nil {
		t.Fatal(err)
	}
	if id := noTPA.tpaID("SYNTH TPA WEST"); id != 0 {
		t.Errorf("tpaID without TPA rules = %d", id)
	}
}

func TestContractFindTPADoesNotAllocate(t *testing.T) {
	tab := tpaTable(t)
	c := Claim{Type: Professional, PayerID: "88461", TPA: "  Synth Tpa West ", StatementFrom: 20260301}
	var id string
	if n := testing.AllocsPerRun(100, func() {
		got, _ := tab.Find(&c)
		id = got.ID
	}); n != 0 || id != "WEST" {
		t.Errorf("Find = %s with %v allocations, want WEST with 0", id, n)
	}
}

// FuzzContractTPAID: the claim TPA lookup agrees with TPAKey.
func FuzzContractTPAID(f *testing.F) {
	for _, s := range []string{"SYNTH TPA WEST", " synth tpa west\t", "tpa élan", "\u017fynth tpa west", "W"} {
		f.Add(s)
	}
	tab := tpaTable(f)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := tab.tpaID(s), tab.tpas[TPAKey(s)]; got != want {
			t.Fatalf("tpaID(%q) = %d, TPAKey %q gives %d", s, got, TPAKey(s), want)
		}
	})
}

// BenchmarkContractFind is Find over the repository's contracts.yaml for
// the benchmark claim mix, without member TPAs and with a mix of TPAs
// (unknown, other, rule TPA in lower case, padded).
func BenchmarkContractFind(b *testing.B) {
	f, err := os.Open(filepath.Join(schedulesDir, "contracts.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	tab, err := LoadContracts(f)
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, claims []Claim) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, ok := tab.Find(&claims[i%len(claims)]); !ok {
				b.Fatal("no contract")
			}
		}
	}
	b.Run("noTPA", func(b *testing.B) { run(b, benchClaims()) })
	b.Run("TPA", func(b *testing.B) {
		claims := benchClaims()
		tpas := []string{"", "SYNTH TPA WEST", "synth tpa central", " SYNTH TPA NORTH "}
		for i := range claims {
			claims[i].TPA = tpas[i%len(tpas)]
		}
		run(b, claims)
	})
}
