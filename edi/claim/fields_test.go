package claim_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
)

// fieldTest decodes one claim placed in a minimal transaction set and
// checks the fields it extracts.
type fieldTest struct {
	name string
	kind string // claim.Professional (default) or claim.Institutional
	// levels replaces the default subscriber level (subscriber is patient,
	// payer ID 88461) with its own 2000B/2000C segments.
	levels string
	// claim holds the 2300 (and 2400) segments, '~'-terminated.
	claim string
	check func(t *testing.T, c *claim.Claim)
}

const defaultLevels = "HL*2*1*22*0~SBR*P*18*GRP1******CI~NM1*IL*1*DOE*JANE****MI*SYN123~NM1*PR*2*PLAN*****PI*88461~"

// fieldInput wraps a claim in an interchange.
func fieldInput(tt fieldTest) []byte {
	version := "005010X222A1"
	if tt.kind == claim.Institutional {
		version = "005010X223A2"
	}
	levels := tt.levels
	if levels == "" {
		levels = defaultLevels
	}
	body := "ST*837*0001*" + version + "~BHT*0019*00*B1*20260115*1030*CH~" +
		"NM1*41*2*SUBMITTER*****46*S1~PER*IC*DESK*TE*5555550100~NM1*40*2*RECEIVER*****46*R1~" +
		"HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~N3*1 MAIN ST~N4*MADISON*WI*53703~REF*EI*391234567~" +
		levels + tt.claim
	n := strings.Count(body, "~") + 1
	return []byte(repeatISA + "GS*HC*S*R*20260115*1030*1*X*" + version + "~" + body +
		"SE*" + itoa(n) + "*0001~GE*1*1~IEA*1*000000777~")
}

var fieldTests = []fieldTest{
	{
		name:  "frequency original",
		claim: "CLM*A1*10***11:B:1*Y*A*Y*Y~",
		check: func(t *testing.T, c *claim.Claim) {
			eq(t, "Frequency", c.Frequency(), "1")
			eq(t, "FacilityCode", c.FacilityCode, "11")
			eq(t, "TypeOfBill", c.TypeOfBill(), "")
		},
	},
	{
		name:  "frequency replacement with REF*F8",
		claim: "CLM*A1*10***11:B:7*Y*A*Y*Y~REF*F8*ICN123~REF*D9*TRACE1~",
		check: func(t *testing.T, c *claim.Claim) {
			eq(t, "Frequency", c.Frequency(), "7")
			eq(t, "OriginalRef", c.OriginalRef(), "ICN123")
			eq(t, "Ref(D9)", c.Ref("D9"), "TRACE1")
			eq(t, "Ref(9A)", c.Ref("9A"), "")
		},
	},
	{
		name:  "frequency void",
		claim: "CLM*A1*0***11:B:8*Y*A*Y*Y~REF*F8*ICN9~",
		check: func(t *testing.T, c *claim.Claim) {
			eq(t, "Frequency", c.Frequency(), "8")
			eq(t, "OriginalRef", c.OriginalRef(), "ICN9")
		},
	},
	{
		name:  "institutional type of bill",
		kind:  claim.Institutional,
		claim: "CLM*I1*500***13:A:7**A*Y*Y~DTP*434*RD8*20260101-20260103~REF*F8*ICN7~",
		check: func(t *testing.T, c *claim.Claim) {
			eq(t, "TypeOfBill", c.TypeOfBill(), "137")
			eq(t, "Frequency", c.Frequency(), "7")
			eq(t, "FacilityQualifier", c.FacilityQualifier, "A")
			eq(t, "ServiceFrom", c.ServiceFrom(), "20260101")
			eq(t, "ServiceTo", c.ServiceTo(), "20260103")
		},
	},
	{
		name:   "payer ID trimmed of outer spaces only",
		levels: "HL*2*1*22*0~SBR*P*18*G******CI~NM1*IL*1*DOE*JANE****MI*SYN1~NM1*PR*2*PLAN*****PI*  88 461  ~",
		claim:  "CLM*A1*10***11:B:1~",
		check: func(t *testing.T, c *claim.Claim) {
			eq(t, "PayerID", c.PayerID(), "88 461")
		},
	},
	{
		name:   "member ID of a patient who is the subscriber is kept byte for byte",
		levels: "HL*2*1*22*0~SBR*P*18*G******CI~NM1*IL*1*DOE*JANE****MI*SYN001 01~NM1*PR*2*PLAN*****PI*1935~",
		claim:  "CLM*A1*10***11:B:1~",
		check: func(t *testing.T, c *claim.Claim) {
			eq(t, "MemberID", c.MemberID(), "SYN001 01")
			if !c.PatientIsSubscriber() || c.Patient() != nil {
				t.Error("patient should be the subscriber")
			}
			eq(t, "BillingNPI", c.BillingNPI(), "1234567893")
		},
	},
	{
		name: "member ID of a dependent is the subscriber's",
		levels: "HL*2*1*22*1~SBR*P**G******CI~NM1*IL*1*DOE*JANE****MI*SYN555~NM1*PR*2*PLAN*****PI*88461~" +
			"HL*3*2*23*0~PAT*19~NM1*QC*1*DOE*KIM~DMG*D8*20150101*F~",
		claim: "CLM*A1*10***11:B:1~",
		check: func(t *testing.T, c *claim.Claim) {
			eq(t, "MemberID", c.MemberID(), "SYN555")
			if c.PatientIsSubscriber() || c.Patient() == nil {
				t.Fatal("patient should be a dependent")
			}
			eq(t, "Patient.Relationship", c.Patient().Relationship, "19")
			eq(t, "Patient.First", c.Patient().First, "KIM")
			eq(t, "Patient.BirthDate", c.Patient().BirthDate, "20150101")
		},
	},
	{
		name:  "charges and units with decimals",
		claim: "CLM*A1*1251.05***11:B:1~LX*1~SV1*HC:A0428*1250.5*UN*1.25***1~LX*2~SV1*HC:A0429*.55*MJ*30~LX*3~SV1*HC:A0430*0*UN*2.0005~",
		check: func(t *testing.T, c *claim.Claim) {
			eqInt(t, "TotalCharge", c.TotalCharge, 125105)
			eqInt(t, "line 1 Charge", c.Lines[0].Charge, 125050)
			eqInt(t, "line 1 Units", c.Lines[0].Units, 1250)
			eqInt(t, "line 2 Charge", c.Lines[1].Charge, 55)
			eqInt(t, "line 2 Units", c.Lines[1].Units, 30000)
			eq(t, "line 2 UnitBasis", c.Lines[1].UnitBasis, "MJ")
			eqInt(t, "line 3 Units", c.Lines[2].Units, 2000)
			if len(c.Problems) != 0 {
				t.Errorf("problems %q", c.Problems)
			}
		},
	},
	{
		name:  "institutional units and non-covered charge",
		kind:  claim.Institutional,
		claim: "CLM*I1*300.75***11:A:1~LX*1~SV2*0120**300.75*DA*2.5**100.25~",
		check: func(t *testing.T, c *claim.Claim) {
			l := c.Lines[0]
			eq(t, "RevenueCode", l.RevenueCode, "0120")
			eqInt(t, "Charge", l.Charge, 30075)
			eq(t, "UnitBasis", l.UnitBasis, "DA")
			eqInt(t, "Units", l.Units, 2500)
			eqInt(t, "NonCoveredCharge", l.NonCoveredCharge, 10025)
		},
	},
	{
		name:  "modifiers and description",
		claim: "CLM*A1*10***11:B:1~LX*1~SV1*HC:J1100:JW:59:XE:76:NOT OTHERWISE CLASSIFIED*10*UN*1***1:2:3:4~LX*2~SV1*HC:G0008::25*0*UN*1~",
		check: func(t *testing.T, c *claim.Claim) {
			l := c.Lines[0]
			eq(t, "ProcedureQualifier", l.ProcedureQualifier, "HC")
			eq(t, "ProcedureCode", l.ProcedureCode, "J1100")
			if !reflect.DeepEqual(l.Modifiers, []string{"JW", "59", "XE", "76"}) {
				t.Errorf("Modifiers %q", l.Modifiers)
			}
			eq(t, "Description", l.Description, "NOT OTHERWISE CLASSIFIED")
			if !reflect.DeepEqual(l.DiagnosisPointers, []int{1, 2, 3, 4}) {
				t.Errorf("DiagnosisPointers %v", l.DiagnosisPointers)
			}
			if !reflect.DeepEqual(c.Lines[1].Modifiers, []string{"25"}) {
				t.Errorf("line 2 Modifiers %q", c.Lines[1].Modifiers)
			}
		},
	},
	{
		name:  "service dates over lines",
		claim: "CLM*A1*10***11:B:1~LX*1~SV1*HC:A0428*5*UN*1~DTP*472*D8*20260110~LX*2~SV1*HC:A0428*5*UN*1~DTP*472*RD8*20260105-20260112~REF*6R*LN2~",
		check: func(t *testing.T, c *claim.Claim) {
			eq(t, "ServiceFrom", c.ServiceFrom(), "20260105")
			eq(t, "ServiceTo", c.ServiceTo(), "20260112")
			eq(t, "line 1 ServiceTo", c.Lines[0].ServiceTo, "20260110")
			eq(t, "line 2 ControlNumber", c.Lines[1].ControlNumber, "LN2")
		},
	},
	{
		name:  "bad amounts are problems, not errors",
		claim: "CLM*A1*1.234***11:B:1~HCP*03*X~LX*1~SV1*HC:A0428*1,00*UN*one***A~",
		check: func(t *testing.T, c *claim.Claim) {
			want := []string{
				"CLM02 at segment 15: amount has more than two decimal places",
				"HCP02 at segment 16: invalid number",
				"line 1: SV102 at segment 18: invalid number",
				"line 1: SV104 at segment 18: invalid number",
				"line 1: SV107 at segment 18: component 1: invalid number",
			}
			if !reflect.DeepEqual(c.Problems, want) {
				t.Errorf("Problems\n got %q\nwant %q", c.Problems, want)
			}
			eqInt(t, "TotalCharge", c.TotalCharge, 0)
			eq(t, "Pricing.Method", c.Pricing.Method, "03")
		},
	},
	{
		name:  "claim pricing and value code amounts",
		kind:  claim.Institutional,
		claim: "CLM*I1*9000***11:A:1~HI*BE:80:::3*BE:A1:::12.5~HCP*10*9000*0*ORG1*3000*470*9000.5*0120***DA*3*T1*1*2~",
		check: func(t *testing.T, c *claim.Claim) {
			if len(c.Codes) != 2 || *c.Codes[1].Amount != 1250 {
				t.Fatalf("Codes %+v", c.Codes)
			}
			p := c.Pricing
			eq(t, "Method", p.Method, "10")
			eqInt(t, "Allowed", p.Allowed, 900000)
			eqInt(t, "Savings", *p.Savings, 0)
			eqInt(t, "Rate", *p.Rate, 300000)
			eq(t, "ApprovedGroup", p.ApprovedGroup, "470")
			eqInt(t, "ApprovedGroupAmount", *p.ApprovedGroupAmount, 900050)
			eq(t, "ApprovedRevenueCode", p.ApprovedRevenueCode, "0120")
			eq(t, "UnitBasis", p.UnitBasis, "DA")
			eqInt(t, "Units", *p.Units, 3000)
			eq(t, "RejectReason", p.RejectReason, "T1")
			eq(t, "PolicyCompliance", p.PolicyCompliance, "1")
			eq(t, "Exception", p.Exception, "2")
		},
	},
}

func eq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func eqInt(t *testing.T, what string, got, want int64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", what, got, want)
	}
}

func TestFields(t *testing.T) {
	for _, tt := range fieldTests {
		t.Run(tt.name, func(t *testing.T) {
			data := fieldInput(tt)
			txs := decodeAll(t, data)
			if len(txs) != 1 {
				t.Fatalf("%d transactions", len(txs))
			}
			var claims []*claim.Claim
			for ctx := range txs[0].Claims() {
				claims = append(claims, ctx.Claim)
			}
			if len(claims) != 1 {
				t.Fatalf("%d claims", len(claims))
			}
			tt.check(t, claims[0])
			// The streaming decoder extracts the same fields.
			streamed := streamAll(t, data)
			if len(streamed) != 1 {
				t.Fatalf("streamed %d claims", len(streamed))
			}
			tt.check(t, streamed[0].Claim)
		})
	}
}

func TestDate(t *testing.T) {
	tests := []struct {
		name     string
		d        claim.Date
		from, to string
	}{
		{"D8", claim.Date{Format: "D8", Value: "20260105"}, "20260105", "20260105"},
		{"RD8", claim.Date{Format: "RD8", Value: "20260105-20260112"}, "20260105", "20260112"},
		{"RD8 without hyphen", claim.Date{Format: "RD8", Value: "20260105"}, "20260105", "20260105"},
		{"DT", claim.Date{Format: "DT", Value: "202601050830"}, "20260105", "20260105"},
		{"TM", claim.Date{Format: "TM", Value: "1130"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eq(t, "From", tt.d.From(), tt.from)
			eq(t, "To", tt.d.To(), tt.to)
		})
	}
	if _, err := claim.ParseDate("20260230"); err == nil {
		t.Error("ParseDate accepted February 30")
	}
	if d, err := claim.ParseDate("20260105"); err != nil || d.Day() != 5 {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
}

func TestKindOf(t *testing.T) {
	for v, want := range map[string]string{
		"005010X222A1": claim.Professional, "005010X223A2": claim.Institutional,
		"005010X223A3": claim.Institutional, "004010X098A1": "", "005010X224A2": "", "": "",
	} {
		eq(t, "KindOf("+v+")", claim.KindOf(v), want)
	}
}
