package schema

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// base276 is a valid 276 (005010X212): a claim of a subscriber with a
// service line and a claim of a dependent (synthetic data; HCPCS Level II
// codes; Luhn-valid NPI).
const base276 = `ST*276*0001*005010X212~
BHT*0010*13*STAT-0042*20260302*0930~
HL*1**20*1~
NM1*PR*2*ALLIANCE HEALTH PLAN*****PI*ALL01~
HL*2*1*21*1~
NM1*41*2*NORTHSIDE BILLING*****46*NSB001~
HL*3*2*19*1~
NM1*1P*2*NORTHSIDE CLINIC*****XX*1234567893~
HL*4*3*22*1~
DMG*D8*19800214*F~
NM1*IL*1*DOE*JANE****MI*ALM0000123~
TRN*1*TRN-5001~
REF*1K*ALL26061000001~
REF*EJ*P1001~
AMT*T3*125.5~
DTP*472*RD8*20260215-20260216~
SVC*HC:J1100:JW*75.5*****2~
REF*FJ*L1~
DTP*472*D8*20260215~
HL*5*4*23~
DMG*D8*20150704*M~
NM1*QC*1*DOE*SAM~
TRN*1*TRN-5002~
REF*EJ*P1002~
REF*BLT*131~
AMT*T3*50~
DTP*472*D8*20260216~
SE*28*0001~
`

// base277X212 is a valid 277 answering base276: a paid claim with its
// line, a denied claim of the dependent, and provider and receiver level
// statuses.
const base277X212 = `ST*277*0001*005010X212~
BHT*0010*08*STAT-0042*20260302*0930*DG~
HL*1**20*1~
NM1*PR*2*ALLIANCE HEALTH PLAN*****PI*ALL01~
PER*IC*CLAIM STATUS DESK*TE*8005551212~
HL*2*1*21*1~
NM1*41*2*NORTHSIDE BILLING*****46*NSB001~
TRN*2*STAT-0042~
STC*A1:19:PR*20260302~
HL*3*2*19*1~
NM1*1P*2*NORTHSIDE CLINIC*****XX*1234567893~
TRN*1*PRV-1~
STC*A1:19:PR*20260302~
HL*4*3*22*1~
NM1*IL*1*DOE*JANE****MI*ALM0000123~
TRN*2*TRN-5001~
STC*F1:65*20260302**125.5*98*20260301**20260303*EFT0000042~
REF*1K*ALL26061000001~
REF*EJ*P1001~
DTP*472*RD8*20260215-20260216~
SVC*HC:J1100:JW*75.5*58****2~
STC*F1:65*20260301~
REF*FJ*L1~
DTP*472*D8*20260215~
HL*5*4*23~
NM1*QC*1*DOE*SAM~
TRN*2*TRN-5002~
STC*F2:88:QC*20260302**50*0*20260301~
REF*1K*ALL26061000002~
REF*BLT*131~
DTP*472*D8*20260216~
SE*32*0001~
`

func TestSchema276Valid(t *testing.T) {
	want := []string{"HEADER", "HEADER", "2000A", "2100A", "2000B", "2100B", "2000C", "2100C",
		"2000D", "2000D", "2100D", "2200D", "2200D", "2200D", "2200D", "2200D", "2210D", "2210D", "2210D",
		"2000E", "2000E", "2100E", "2200E", "2200E", "2200E", "2200E", "2200E", "TRAILER"}
	if got := loopsOf(t, "276", "005010X212", base276); !slices.Equal(got, want) {
		t.Errorf("loops\n got %v\nwant %v", got, want)
	}
}

func TestSchema277X212Valid(t *testing.T) {
	want := []string{"HEADER", "HEADER", "2000A", "2100A", "2100A", "2000B", "2100B", "2200B", "2200B",
		"2000C", "2100C", "2200C", "2200C",
		"2000D", "2100D", "2200D", "2200D", "2200D", "2200D", "2200D", "2220D", "2220D", "2220D", "2220D",
		"2000E", "2100E", "2200E", "2200E", "2200E", "2200E", "2200E", "TRAILER"}
	if got := loopsOf(t, "277", "005010X212", base277X212); !slices.Equal(got, want) {
		t.Errorf("loops\n got %v\nwant %v", got, want)
	}
}

var schema276Tests = []schemaCase{
	{name: "BHT02 of a response", edits: []string{"BHT*0010*13", "BHT*0010*§08"}, code: "7", seg: "BHT", elem: 2},
	{name: "BHT06 not used", edits: []string{"20260302*0930~", "20260302*0930*§DG~"}, code: "I10", seg: "BHT", elem: 6},
	{name: "payer ID qualifier", edits: []string{"*****PI*ALL01", "*****§46*ALL01"}, code: "I6", seg: "NM1", elem: 8},
	{name: "provider ID qualifier", edits: []string{"*****XX*1234567893", "*****§PI*1234567893"}, code: "I6", seg: "NM1", elem: 8},
	{name: "charge not a number", edits: []string{"AMT*T3*125.5", "AMT*T3*§12X.5"}, code: "6", seg: "AMT", elem: 2},
	{name: "TRN*2 in a request", edits: []string{"TRN*1*TRN-5001", "TRN*§2*TRN-5001"}, code: "7", seg: "TRN", elem: 1},
	{name: "line date missing", edits: []string{"DTP*472*D8*20260215~\nHL*5", "§HL*5"}, code: "3", seg: "DTP"},
	{name: "dependent DMG missing", edits: []string{"DMG*D8*20150704*M~\nNM1", "§NM1"}, code: "3", seg: "DMG"},
	{name: "dependent with an ID", edits: []string{"NM1*QC*1*DOE*SAM~", "NM1*QC*1*DOE*SAM****§MI*X1~"}, code: "I10", seg: "NM1", elem: 8,
		also: []string{"I10 NM109@22"}},
	{name: "dependent HL04", edits: []string{"HL*5*4*23~", "HL*5*4*23*§0~"}, code: "I10", seg: "HL", elem: 4},
	{name: "REF*EJ twice", edits: []string{"REF*EJ*P1001~", "REF*EJ*P1001~\n§REF*EJ*P1003~"}, code: "5", seg: "REF"},
	{name: "SVC03 not used", edits: []string{"*75.5*****2~", "*75.5*§10****2~"}, code: "I10", seg: "SVC", elem: 3},
}

func TestSchema276Issues(t *testing.T) { checkCases(t, "276", "005010X212", base276, schema276Tests) }

var schema277X212Tests = []schemaCase{
	{name: "BHT06 not DG", edits: []string{"*0930*DG~", "*0930*§TH~"}, code: "7", seg: "BHT", elem: 6},
	{name: "claim STC03 not used", edits: []string{"20260302**125.5", "20260302*§WQ*125.5"}, code: "I10", seg: "STC", elem: 3},
	{name: "claim STC02 missing", edits: []string{"STC*F2:88:QC*20260302*", "STC*F2:88:QC*§*"}, code: "1", seg: "STC", elem: 2},
	{name: "code list qualifier other than RX", edits: []string{"STC*F2:88:QC*", "STC*F2:88:QC:§ZZ*"}, code: "I6", seg: "STC", elem: 1, comp: 4},
	{name: "receiver STC04 not used", edits: []string{"STC*A1:19:PR*20260302~\nHL*3", "STC*A1:19:PR*20260302**§10~\nHL*3"}, code: "I10", seg: "STC", elem: 4},
	{name: "line date missing", edits: []string{"DTP*472*D8*20260215~\n", "", "HL*5*4*23~", "§HL*5*4*23~"}, code: "3", seg: "DTP"},
	{name: "line SVC07 missing", edits: []string{"SVC*HC:J1100:JW*75.5*58****2~", "§SVC*HC:J1100:JW*75.5*58~"}, code: "1", seg: "SVC", elem: 7,
		also: nil},
	{name: "STC before TRN", edits: []string{"TRN*2*TRN-5002~\nSTC*F2:88:QC*20260302**50*0*20260301~", "§STC*F2:88:QC*20260302**50*0*20260301~\nTRN*2*TRN-5002~"},
		code: "2", seg: "STC", also: []string{"3 STC00@29"}},
	{name: "REF*FJ at the claim level", edits: []string{"REF*BLT*131~", "REF*BLT*131~\n§REF*FJ*X~"}, code: "2", seg: "REF"},
}

func TestSchema277X212Issues(t *testing.T) {
	checkCases(t, "277", "005010X212", base277X212, schema277X212Tests)
}

// TestCorpusEligibilityStatusFindings checks, for a few corpus samples,
// the issues the 270/271/276/277 tables find; each was verified against
// the guide facts (reference §6, §7 and the code lists of the tables).
func TestCorpusEligibilityStatusFindings(t *testing.T) {
	cases := []struct {
		file, setID, version string
		why                  string
		issues               []string
	}{
		{"270/cosyte-x12__270-dependent.edi", "270", "005010X279A1",
			"DMG03 U is not a 270 gender code (F, M); EQ03 is not used at the dependent level",
			[]string{"7 DMG03@15", "I10 EQ03@17"}},
		{"270/cosyte-x12__270-canonical.edi", "270", "005010X279A1",
			"EQ03 IND: the 270 subscriber inquiry allows FAM only", []string{"7 EQ03@14"}},
		{"270/cosyte-x12__270-minimal.edi", "270", "005010X279A1",
			"source and receiver NM1 without NM108/NM109, which the guide requires",
			[]string{"1 NM108@4", "1 NM109@4", "1 NM108@6", "1 NM109@6"}},
		{"271/cosyte-x12__271-aaa-two-dependents.edi", "271", "005010X279A1",
			"dependent NM101 QC (the 271 uses 03); AAA03 72/73 are subscriber-level reasons, not 2100D ones",
			[]string{"I6 NM101@10", "7 AAA03@11", "I6 NM101@15", "7 AAA03@16"}},
		{"271/cosyte-x12__271-aaa-with-benefits.edi", "271", "005010X279A1",
			"AAA03 42 (unable to respond now) is not a 2110C reason", []string{"7 AAA03@11"}},
		{"271/stupidedi__error-response-from-payer-to-clinic-not-eligible-for-inquiries-with-payer.edi", "271", "005010X279A1",
			"receiver rejected (AAA at 2100B) but HL04 still says a subscriber level follows", []string{"I12 HL04@5"}},
		{"277/cosyte-x12__277-canonical.edi", "277", "005010X212",
			"STC03 (action code) is not used in the 277 2200D", []string{"I10 STC03@12"}},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			f, err := os.Open(corpustest.Path(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			s := Lookup(tc.setID, tc.version)
			var got []string
			for _, r := range parseSets(t, f, func(v string) *Schema {
				if v == tc.version {
					return s
				}
				return nil
			}) {
				for _, is := range r.issues {
					got = append(got, issueKey(is))
				}
			}
			if !slices.Equal(got, tc.issues) {
				t.Errorf("issues (%s)\n got %q\nwant %q", tc.why, got, tc.issues)
			}
		})
	}
}
