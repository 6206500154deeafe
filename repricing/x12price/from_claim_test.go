package x12price_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/x12price"
)

// envelope wraps the segments of one 837 set (BHT through the last claim,
// one per line, without terminators) in ISA/GS/ST..SE/GE/IEA.
func envelope(version, body string) string {
	segs := strings.Split(strings.TrimSpace(body), "\n")
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*SYNTHSUBMIT    *ZZ*CLEARINGHOUSE  *260115*1030*^*00501*000000901*0*T*:~\n")
	fmt.Fprintf(&b, "GS*HC*SYNTHSUBMIT*CLEARINGHOUSE*20260115*1030*901*X*%s~\n", version)
	fmt.Fprintf(&b, "ST*837*9001*%s~\n", version)
	for _, s := range segs {
		b.WriteString(strings.TrimSpace(s) + "~\n")
	}
	fmt.Fprintf(&b, "SE*%d*9001~\nGE*1*901~\nIEA*1*000000901~\n", len(segs)+2)
	return b.String()
}

const profHeader = `BHT*0019*00*B1*20260115*1030*CH
NM1*41*2*SYNTHETIC BILLING*****46*SYN0001
PER*IC*DESK*TE*5555550100
NM1*40*2*CLEARINGHOUSE*****46*CLEARINGHOUSE
HL*1**20*1
NM1*85*2*MAPLE CLINIC*****XX*1234567893
N3*100 MAIN ST
N4*MADISON*WI*537030000
REF*EI*391234567
`

const instHeader = `BHT*0019*00*B2*20260115*1030*CH
NM1*41*2*SYNTHETIC HOSPITAL BILLING*****46*SYNH001
PER*IC*DESK*TE*5555550200
NM1*40*2*CLEARINGHOUSE*****46*CLEARINGHOUSE
HL*1**20*1
NM1*85*2*LAKESIDE GENERAL HOSPITAL*****XX*2468135795
N3*500 LAKE ST
N4*MADISON*WI*537150000
REF*EI*392223333
`

const subscriber = `HL*2*1*22*0
SBR*P*18*GRP1******CI
NM1*IL*1*DOE*JANE****MI*SYN100
N3*1 ELM ST
N4*MADISON*WI*537040000
DMG*D8*19800101*F
NM1*PR*2*THE ALLIANCE*****PI*2712
`

var fromClaimTests = []struct {
	name    string
	version string
	body    string
	want    []repricing.Claim
}{
	{
		name:    "837P lines with modifiers, SV105, RD8 and decimal units",
		version: "005010X222A1",
		body: profHeader + subscriber + `CLM*PCN1*330.5***11:B:1*Y*A*Y*Y
HI*ABK:R51
LX*1
SV1*HC:A0428:RR:KX*100*UN*1***1
DTP*472*D8*20250615
LX*2
SV1*HC:J1100*150.5*UN*2.5*22**1
DTP*472*RD8*20250614-20250616
LX*3
SV1*HC:G0008*80*MJ*30***1
DTP*472*D8*20250617`,
		want: []repricing.Claim{{
			ID: "PCN1", Type: repricing.Professional, BillingNPI: "1234567893", BillingTIN: "391234567", PayerID: "2712",
			POS: "11", StatementFrom: 20250614, StatementTo: 20250617, BilledCents: 33050,
			Lines: []repricing.Line{
				{No: 1, ProcedureCode: "A0428", Modifiers: []string{"RR", "KX"}, POS: "11", Units: 1000, UnitBasis: "UN", ChargeCents: 10000, ServiceDate: 20250615},
				{No: 2, ProcedureCode: "J1100", POS: "22", Units: 2500, UnitBasis: "UN", ChargeCents: 15050, ServiceDate: 20250614},
				{No: 3, ProcedureCode: "G0008", POS: "11", Units: 30000, UnitBasis: "MJ", ChargeCents: 8000, ServiceDate: 20250617},
			},
		}},
	},
	{
		name:    "837P dependent, hospitalization dates ignored, two claims",
		version: "005010X222A1",
		body: profHeader + `HL*2*1*22*1
SBR*P**GRP2******CI
NM1*IL*1*ROE*RICHARD****MI*SYN200
N3*2 OAK ST
N4*MADISON*WI*537060000
DMG*D8*19750505*M
NM1*PR*2*THE ALLIANCE*****PI*88461
HL*3*2*23*0
PAT*19
NM1*QC*1*ROE*ROBIN
N3*2 OAK ST
N4*MADISON*WI*537060000
DMG*D8*20100303*F
CLM*PCN2*40***21:B:1*Y*A*Y*Y
DTP*435*D8*20250101
DTP*096*D8*20250105
HI*ABK:R51
LX*1
SV1*HC:ZZ002*40*UN*1***1
DTP*472*D8*20250103
CLM*PCN3*50***11:B:7*Y*A*Y*Y
REF*F8*ICN1
HI*ABK:R51
LX*1
SV1*HC:ZZ002*50*UN*1***1
DTP*472*D8*20250104`,
		want: []repricing.Claim{{
			ID: "PCN2", Type: repricing.Professional, BillingNPI: "1234567893", BillingTIN: "391234567", PayerID: "88461",
			POS: "21", StatementFrom: 20250103, StatementTo: 20250103, BilledCents: 4000,
			Lines: []repricing.Line{{No: 1, ProcedureCode: "ZZ002", POS: "21", Units: 1000, UnitBasis: "UN", ChargeCents: 4000, ServiceDate: 20250103}},
		}, {
			ID: "PCN3", Type: repricing.Professional, BillingNPI: "1234567893", BillingTIN: "391234567", PayerID: "88461",
			POS: "11", StatementFrom: 20250104, StatementTo: 20250104, BilledCents: 5000,
			Lines: []repricing.Line{{No: 1, ProcedureCode: "ZZ002", POS: "11", Units: 1000, UnitBasis: "UN", ChargeCents: 5000, ServiceDate: 20250104}},
		}},
	},
	{
		name:    "837I inpatient: DT admission, discharge hour, DRG, revenue-only lines",
		version: "005010X223A2",
		body: instHeader + strings.Replace(subscriber, "PI*2712", "PI*1935", 1) + `CLM*ICN1*5645.5***11:A:1**A*Y*Y
DTP*096*TM*1130
DTP*434*RD8*20250610-20250613
DTP*435*DT*202506100800
CL1*1*7*01
HI*ABK:J189
HI*DR:470
LX*1
SV2*0120**5400*DA*3
DTP*472*RD8*20250610-20250612
LX*2
SV2*0636*HC:J1100:JW*245.5*UN*2.25`,
		want: []repricing.Claim{{
			ID: "ICN1", Type: repricing.Institutional, BillingNPI: "2468135795", BillingTIN: "392223333", PayerID: "1935",
			TypeOfBill: "111", Admission: 20250610, Discharge: 20250613, StatementFrom: 20250610, StatementTo: 20250613,
			DRG: "470", BilledCents: 564550,
			Lines: []repricing.Line{
				{No: 1, RevenueCode: "0120", Units: 3000, UnitBasis: "DA", ChargeCents: 540000, ServiceDate: 20250610},
				{No: 2, RevenueCode: "0636", ProcedureCode: "J1100", Modifiers: []string{"JW"}, Units: 2250, UnitBasis: "UN", ChargeCents: 24550},
			},
		}},
	},
	{
		name:    "837I outpatient without admission has no discharge date",
		version: "005010X223A2",
		body: instHeader + strings.Replace(subscriber, "PI*2712", "PI*1935", 1) + `CLM*ICN2*100.01***13:A:7**A*Y*Y
DTP*434*RD8*20260201-20260202
CL1***01
REF*F8*ICN0
HI*ABK:R51
LX*1
SV2*0300*HC:ZZ002*100.01*UN*1
DTP*472*D8*20260202`,
		want: []repricing.Claim{{
			ID: "ICN2", Type: repricing.Institutional, BillingNPI: "2468135795", BillingTIN: "392223333", PayerID: "1935",
			TypeOfBill: "137", StatementFrom: 20260201, StatementTo: 20260202, BilledCents: 10001,
			Lines: []repricing.Line{{No: 1, RevenueCode: "0300", ProcedureCode: "ZZ002", Units: 1000, UnitBasis: "UN", ChargeCents: 10001, ServiceDate: 20260202}},
		}},
	},
	{
		name:    "bad date and bad line number",
		version: "005010X222A1",
		body: profHeader + subscriber + `CLM*PCN4*20***11:B:1*Y*A*Y*Y
HI*ABK:R51
LX*X
SV1*HC:ZZ002*10*UN*1***1
DTP*472*D8*20250230
LX*2
SV1*HC:ZZ002*10*UN*1***1
DTP*472*D8*20250301`,
		want: []repricing.Claim{{
			ID: "PCN4", Type: repricing.Professional, BillingNPI: "1234567893", BillingTIN: "391234567", PayerID: "2712",
			POS: "11", StatementFrom: 20250301, StatementTo: 20250301, BilledCents: 2000,
			Lines: []repricing.Line{
				{No: 1, ProcedureCode: "ZZ002", POS: "11", Units: 1000, UnitBasis: "UN", ChargeCents: 1000},
				{No: 2, ProcedureCode: "ZZ002", POS: "11", Units: 1000, UnitBasis: "UN", ChargeCents: 1000, ServiceDate: 20250301},
			},
		}},
	},
}

func TestFromClaim(t *testing.T) {
	for _, tt := range fromClaimTests {
		t.Run(tt.name, func(t *testing.T) {
			ccs := claims(t, envelope(tt.version, tt.body))
			if len(ccs) != len(tt.want) {
				t.Fatalf("%d claims, want %d", len(ccs), len(tt.want))
			}
			// FromClaimInto gives the same, also into a claim left with
			// the lines of an earlier one.
			reused := repricing.Claim{ID: "OLD", Lines: make([]repricing.Line, 3, 8)}
			for i, cc := range ccs {
				got := x12price.FromClaim(cc)
				if !reflect.DeepEqual(got, tt.want[i]) {
					t.Errorf("claim %d:\n got %+v\nwant %+v", i+1, got, tt.want[i])
				}
				x12price.FromClaimInto(cc, &reused)
				if !reflect.DeepEqual(reused, tt.want[i]) {
					t.Errorf("claim %d, FromClaimInto:\n got %+v\nwant %+v", i+1, reused, tt.want[i])
				}
			}
		})
	}
}
