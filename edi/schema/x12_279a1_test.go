package schema

import (
	"slices"
	"strings"
	"testing"
)

// base270 is a valid 270 (005010X279A1) using most segments of the table:
// a clinic asking about a subscriber and a dependent (synthetic data;
// HCPCS Level II codes; Luhn-valid NPI).
const base270 = `ST*270*0001*005010X279A1~
BHT*0022*13*REQ-0001*20260301*0915~
HL*1**20*1~
NM1*PR*2*ALLIANCE HEALTH PLAN*****PI*ALL01~
HL*2*1*21*1~
NM1*1P*2*NORTHSIDE CLINIC*****XX*1234567893~
REF*EO*ACCT77~
N3*1 MAIN ST~
N4*TOWN*OH*43215~
PRV*PE*PXC*207Q00000X~
HL*3*2*22*1~
TRN*1*TRC-1001*9CLINIC001~
NM1*IL*1*DOE*JANE*Q***MI*ALM0000123~
REF*6P*GRP900~
N3*2 ELM ST~
N4*TOWN*OH*43215~
DMG*D8*19800214*F~
DTP*291*D8*20260301~
EQ*30^98*HC:A0428*FAM~
AMT*R*100~
III*ZZ*21~
REF*G1*PA1234~
DTP*291*RD8*20260301-20260331~
HL*4*3*23*0~
TRN*1*TRC-1002*9CLINIC001~
NM1*03*1*DOE*SAM~
DMG*D8*20150704*M~
INS*N*19~
EQ*30~
SE*30*0001~
`

// base271 is a valid 271 answering base270: active coverage with a
// primary care provider (LS/2120C/LE) for the subscriber, and for the
// dependent.
const base271 = `ST*271*0001*005010X279A1~
BHT*0022*11*REQ-0001*20260301*0916~
HL*1**20*1~
NM1*PR*2*ALLIANCE HEALTH PLAN*****PI*ALL01~
PER*IC*PROVIDER SERVICES*TE*8005551212~
HL*2*1*21*1~
NM1*1P*2*NORTHSIDE CLINIC*****XX*1234567893~
HL*3*2*22*1~
TRN*2*TRC-1001*9CLINIC001~
NM1*IL*1*DOE*JANE*Q***MI*ALM0000123~
REF*6P*GRP900*GOLD GROUP~
DMG*D8*19800214*F~
DTP*346*D8*20260101~
EB*1*FAM*30^98*C1*GOLD PPO~
DTP*291*RD8*20260101-20261231~
MSG*PLAN RENEWS EACH JANUARY~
EB*L~
LS*2120~
NM1*P3*1*SMITH*ANNA****XX*1999999992~
LE*2120~
EB*B*IND*98***27*25*****Y~
HL*4*3*23*0~
TRN*2*TRC-1002*9CLINIC001~
NM1*03*1*DOE*SAM~
DMG*D8*20150704*M~
EB*1*DEP*30~
SE*27*0001~
`

// schemaCase breaks a base set in one place; the marker sits where the
// issue must point.
type schemaCase struct {
	name      string
	edits     []string // old, new pairs applied to the base
	code, seg string
	elem      int // 0 for segment issues
	comp, rep int
	also      []string // other issues expected (issueKey), besides the one at the marker
}

// checkCases runs the cases of one table over base.
func checkCases(t *testing.T, setID, version, base string, cases []schemaCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			issues, _, off, pos := runSet(t, setID, version, edit(t, base, tc.edits...))
			if off < 0 {
				t.Fatal("test body has no marker")
			}
			var hit bool
			var others []string
			for _, is := range issues {
				if !hit && is.Code == tc.code && is.SegmentID == tc.seg && is.Element == tc.elem &&
					is.Component == tc.comp && is.Repetition == tc.rep && is.Offset == off && is.Position == pos {
					hit = true
					continue
				}
				others = append(others, issueKey(is))
			}
			if !hit {
				t.Errorf("no issue %s on %s%02d-%d rep %d at offset %d (position %d):%s", tc.code, tc.seg, tc.elem,
					tc.comp, tc.rep, off, pos, describe(issues))
			}
			if !slices.Equal(others, tc.also) {
				t.Errorf("other issues %q, want %q", others, tc.also)
			}
		})
	}
}

// loopsOf returns the event loop of every segment of a valid base set.
func loopsOf(t *testing.T, setID, version, base string) []string {
	t.Helper()
	issues, events, _, _ := runSet(t, setID, version, base)
	if len(issues) > 0 {
		t.Fatalf("valid %s has issues:%s", setID, describe(issues))
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Loop)
	}
	return got
}

func TestSchema270Valid(t *testing.T) {
	want := []string{"HEADER", "HEADER", "2000A", "2100A", "2000B", "2100B", "2100B", "2100B", "2100B", "2100B",
		"2000C", "2000C", "2100C", "2100C", "2100C", "2100C", "2100C", "2100C",
		"2110C", "2110C", "2110C", "2110C", "2110C",
		"2000D", "2000D", "2100D", "2100D", "2100D", "2110D", "TRAILER"}
	if got := loopsOf(t, "270", "005010X279A1", base270); !slices.Equal(got, want) {
		t.Errorf("loops\n got %v\nwant %v", got, want)
	}
}

func TestSchema271Valid(t *testing.T) {
	want := []string{"HEADER", "HEADER", "2000A", "2100A", "2100A", "2000B", "2100B",
		"2000C", "2000C", "2100C", "2100C", "2100C", "2100C",
		"2110C", "2110C", "2110C", "2110C", "2110C", "2120C", "2110C", "2110C",
		"2000D", "2000D", "2100D", "2100D", "2110D", "TRAILER"}
	if got := loopsOf(t, "271", "005010X279A1", base271); !slices.Equal(got, want) {
		t.Errorf("loops\n got %v\nwant %v", got, want)
	}
}

var schema270Tests = []schemaCase{
	{name: "BHT02 of a response", edits: []string{"BHT*0022*13", "BHT*0022*§11"}, code: "7", seg: "BHT", elem: 2},
	{
		name: "EQ01 second repetition unknown", edits: []string{"EQ*30^98*", "EQ*30^§Q9*"},
		code: "7", seg: "EQ", elem: 1, rep: 2,
	},
	{
		name:  "EQ01 over 99 repetitions",
		edits: []string{"EQ*30^98*", "EQ*" + strings.Repeat("30^", 99) + "§98*"}, code: "12", seg: "EQ", elem: 1, rep: 100,
	},
	{name: "EQ03 coverage level other than FAM", edits: []string{"*FAM~", "*§IND~"}, code: "7", seg: "EQ", elem: 3},
	{name: "dependent EQ03 not used", edits: []string{"EQ*30~\nSE", "EQ*30**§FAM~\nSE"}, code: "I10", seg: "EQ", elem: 3},
	{name: "gender U in a 270", edits: []string{"20150704*M", "20150704*§U"}, code: "7", seg: "DMG", elem: 3},
	{name: "TRN03 short", edits: []string{"TRC-1001*9CLINIC001", "TRC-1001*§9CLINIC"}, code: "4", seg: "TRN", elem: 3},
	{name: "TRN*2 in a 270", edits: []string{"TRN*1*TRC-1001", "TRN*§2*TRC-1001"}, code: "7", seg: "TRN", elem: 1},
	{name: "receiver NM108 not an ID qualifier of the guide", edits: []string{"*****XX*1234567893", "*****§MI*1234567893"}, code: "I6", seg: "NM1", elem: 8},
	{name: "dependent relationship self", edits: []string{"INS*N*19", "INS*N*§18"}, code: "7", seg: "INS", elem: 2},
	{
		name:  "dependent NM1 with an ID",
		edits: []string{"NM1*03*1*DOE*SAM~", "NM1*03*1*DOE*SAM****MI*§X1~"}, code: "I10", seg: "NM1", elem: 9,
		also: []string{"I10 NM108@26"},
	},
	{name: "2110C DTP other than 291", edits: []string{"DTP*291*RD8", "DTP*§472*RD8"}, code: "7", seg: "DTP", elem: 1},
	{
		name: "dependent HL04 1", edits: []string{"HL*4*3*23*0", "HL*4*3*23*§1"}, code: "7", seg: "HL", elem: 4,
		also: []string{"I12 HL04@24"},
	},
	{name: "dependent without its EQ loop", edits: []string{"EQ*30~\nSE", "§SE"}, code: "I7", seg: "EQ"},
}

func TestSchema270Issues(t *testing.T) { checkCases(t, "270", "005010X279A1", base270, schema270Tests) }

var schema271Tests = []schemaCase{
	{name: "BHT02 of a request", edits: []string{"BHT*0022*11", "BHT*0022*§13"}, code: "7", seg: "BHT", elem: 2},
	{
		name: "subscriber reason at the dependent level", edits: []string{"NM1*03*1*DOE*SAM~", "NM1*03*1*DOE*SAM~\nAAA*N**§72*C~"},
		code: "7", seg: "AAA", elem: 3,
	},
	{
		name:  "subscriber found, patient not found at the subscriber level",
		edits: []string{"REF*6P*GRP900*GOLD GROUP~", "REF*6P*GRP900*GOLD GROUP~\nAAA*N**§77*C~"},
		code:  "7", seg: "AAA", elem: 3,
	},
	{
		name: "unable to respond now at the benefit level", edits: []string{"EB*L~", "EB*L~\nAAA*N**§42*C~"},
		code: "7", seg: "AAA", elem: 3,
	},
	{
		name: "source AAA04 wait 30 days at 2000A", edits: []string{"HL*1**20*1~", "HL*1**20*1~\nAAA*N**42*§W~"},
		code: "7", seg: "AAA", elem: 4,
	},
	{name: "EB01 unknown", edits: []string{"EB*1*FAM", "EB*§Z*FAM"}, code: "7", seg: "EB", elem: 1},
	{name: "dependent coverage EMP", edits: []string{"EB*1*DEP", "EB*1*§EMP"}, code: "7", seg: "EB", elem: 2},
	{
		name:  "EB03 over 99 repetitions",
		edits: []string{"EB*1*DEP*30~", "EB*1*DEP*" + strings.Repeat("30^", 99) + "§30~"}, code: "12", seg: "EB", elem: 3, rep: 100,
	},
	{name: "EB12 unknown", edits: []string{"*****Y~\nHL*4", "*****§X~\nHL*4"}, code: "7", seg: "EB", elem: 12},
	{
		// DTP*347 belongs to 2100C only: after an EB it is out of sequence.
		name: "plan end DTP at the benefit level", edits: []string{"DTP*291*RD8", "§DTP*347*D8*20261231~\nDTP*291*RD8"},
		code: "7", seg: "DTP",
	},
	{
		name: "MSG over 10", edits: []string{"MSG*PLAN RENEWS EACH JANUARY~",
			strings.Repeat("MSG*X~\n", 10) + "§MSG*X~"}, code: "5", seg: "MSG",
	},
	{
		name: "LE before LS", edits: []string{"LS*2120~\nNM1*P3", "LE*2120~\n§NM1*P3"}, code: "2", seg: "NM1",
		also: []string{"5 LE00@20"},
	},
	{name: "gender unknown allowed, marital status not", edits: []string{"19800214*F", "19800214*U*§M"}, code: "I10", seg: "DMG", elem: 4},
}

func TestSchema271Issues(t *testing.T) { checkCases(t, "271", "005010X279A1", base271, schema271Tests) }
