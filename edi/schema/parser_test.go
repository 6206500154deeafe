package schema

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

func TestBaseSetsAreClean(t *testing.T) {
	for name, body := range map[string]string{"837P": base837P, "837I": base837I} {
		t.Run(name, func(t *testing.T) {
			issues, events, _, _ := run(t, body)
			if len(issues) != 0 {
				t.Fatalf("base set has issues:%s", describe(issues))
			}
			if n := strings.Count(body, "~"); len(events) != n {
				t.Fatalf("%d events for %d segments", len(events), n)
			}
		})
	}
}

// issueTest is one expected issue: the body (a base set edited, with a
// marker where the issue points) and the issue's codes and location.
type issueTest struct {
	name  string
	base  string
	edits []string // old, new pairs applied to base
	code  string
	level ack.Level
	seg   string // SegmentID
	loop  string
	elem  int
	comp  int
	rep   int
	de    string
	value string
	claim string // expected ClaimID
	// also lists the codes of other issues the edit is expected to cause.
	also []string
	// warn is set when the issue is a warning (the set is accepted with
	// errors).
	warn bool
}

var issueTests = []issueTest{
	// IK304 segment errors.
	{name: "1 unrecognized segment ID", base: base837P,
		edits: []string{"NM1*41*", "§ZZQ*1~\nNM1*41*"}, code: "1", level: ack.LevelSegment, seg: "ZZQ"},
	{name: "2 unexpected segment", base: base837P,
		edits: []string{"HL*1**20*1~", "§N3*2 MAIN ST~\nHL*1**20*1~"}, code: "2", level: ack.LevelSegment, seg: "N3", loop: "1000B"},
	{name: "3 required segment missing", base: base837P,
		edits: []string{"N3*1 MAIN ST~\nN4*TOWN", "§N4*TOWN"}, code: "3", level: ack.LevelSegment, seg: "N3", loop: "2010AA"},
	{name: "4 loop over maximum", base: base837P,
		edits: []string{"LX*1~", "NM1*DN*1*ONE*REF****XX*1234567893~\nNM1*DN*1*TWO*REF****XX*1234567893~\n§NM1*DN*1*THREE*REF****XX*1234567893~\nLX*1~"},
		code:  "4", level: ack.LevelSegment, seg: "NM1", loop: "2310A", claim: "C1"},
	{name: "5 segment over maximum use", base: base837P,
		edits: []string{"REF*EI*123456789~", "REF*EI*123456789~\n§REF*SY*123456789~"}, code: "5", level: ack.LevelSegment, seg: "REF", loop: "2010AA"},
	{name: "7 segment out of sequence", base: base837P,
		edits: []string{"HI*ABK:R51*ABF:R519~", "HI*ABK:R51*ABF:R519~\n§DTP*431*D8*20251231~"}, code: "7", level: ack.LevelSegment, seg: "DTP", loop: "2300", claim: "C1"},
	{name: "I4 not used segment present", base: base837P,
		edits: []string{"HI*ABK", "§CL1*1*1*01~\nHI*ABK"}, code: "I4", level: ack.LevelSegment, seg: "CL1", loop: "2300", claim: "C1"},
	{name: "I6 replacement claim without REF*F8", base: base837P,
		edits: []string{"CLM*C1*100***11:B:1*", "§CLM*C1*100***11:B:7*"}, code: "I6", level: ack.LevelSegment, seg: "REF", loop: "2300", claim: "C1", warn: true},
	{name: "I7 required loop missing", base: base837P,
		edits: []string{"NM1*PR*2*PAYER CO*****PI*P999~\nCLM", "§CLM"}, code: "I7", level: ack.LevelSegment, seg: "NM1", loop: "2010BB"},
	{name: "I7 required loop missing at end of set", base: base837P,
		edits: []string{"LX*1~\nSV1*HC:A0428*60*UN*1***1:2~\nDTP*472*D8*20260101~\nLX*2~\nSV1*HC:G0008*40*UN*1***1~\nDTP*472*D8*20260101~\nSE", "§SE"},
		code:  "I7", level: ack.LevelSegment, seg: "LX", loop: "2400", claim: "C1"},
	{name: "I9 patient level under subscriber who is the patient", base: base837P,
		edits: []string{"HL*2*1*22*0~", "HL*2*1*22*1~", "CLM*C1", "§HL*3*2*23*0~\nPAT*19~\nNM1*QC*1*DOE*JANE~\nN3*1 MAIN ST~\nN4*TOWN*OH*432150000~\nDMG*D8*20100101*F~\nCLM*C1"},
		code:  "I9", level: ack.LevelSegment, seg: "HL", loop: "2000C"},

	// IK403 element errors.
	{name: "1 required element missing", base: base837P,
		edits: []string{"NM1*85*2*BILLING CLINIC*", "NM1*85*2*§*"}, code: "1", level: ack.LevelElement, seg: "NM1", loop: "2010AA", elem: 3, de: "1035"},
	{name: "1 required component missing", base: base837P,
		edits: []string{"HI*ABK:R51*", "HI*ABK:§*"}, code: "1", level: ack.LevelElement, seg: "HI", loop: "2300", elem: 1, comp: 2, de: "1271", claim: "C1"},
	{name: "2 conditional element missing (HCP P1112)", base: base837P,
		edits: []string{"SV1*HC:G0008*40*UN*1***1~\nDTP*472*D8*20260101~", "SV1*HC:G0008*40*UN*1***1~\nDTP*472*D8*20260101~\n§HCP*02*40*********UN~"},
		code:  "2", level: ack.LevelElement, seg: "HCP", loop: "2400", elem: 12, de: "380", claim: "C1"},
	{name: "3 too many data elements", base: base837P,
		edits: []string{"N3*1 MAIN ST~", "N3*1 MAIN ST*SUITE 2*§X~"}, code: "3", level: ack.LevelElement, seg: "N3", loop: "2010AA", elem: 3, value: "X"},
	{name: "4 element too short", base: base837P,
		edits: []string{"N4*TOWN*OH*432150000~", "N4*TOWN*OH*§43~"}, code: "4", level: ack.LevelElement, seg: "N4", loop: "2010AA", elem: 3, de: "116", value: "43"},
	{name: "5 element too long", base: base837P,
		edits: []string{"CLM*C1*", "CLM*§C1" + strings.Repeat("X", 37) + "*"}, code: "5", level: ack.LevelElement, seg: "CLM", loop: "2300", elem: 1, de: "1028",
		value: "C1" + strings.Repeat("X", 37), claim: "C1" + strings.Repeat("X", 37)},
	{name: "6 invalid character", base: base837P,
		edits: []string{"NM1*41*2*SUBMITTER CO*", "NM1*41*2*§SUB\x01MITTER*"}, code: "6", level: ack.LevelElement, seg: "NM1", loop: "1000A", elem: 3, de: "1035", value: "SUB\x01MITTER"},
	{name: "6 byte 0xFF", base: base837P,
		edits: []string{"NM1*41*2*SUBMITTER CO*", "NM1*41*2*§SUB\xffMITTER*"}, code: "6", level: ack.LevelElement, seg: "NM1", loop: "1000A", elem: 3, de: "1035", value: "SUB\xffMITTER"},
	{name: "6 UTF-8 letter (not in the basic or extended set)", base: base837P,
		edits: []string{"NM1*IL*1*DOE*", "NM1*IL*1*§DO\u00c9*"}, code: "6", level: ack.LevelElement, seg: "NM1", loop: "2010BA", elem: 3, de: "1035", value: "DO\u00c9"},
	{name: "6 NUL in a code value is a character error, not a code error", base: base837P,
		edits: []string{"NM1*85*2*", "NM1*85*§2\x00*"}, code: "6", level: ack.LevelElement, seg: "NM1", loop: "2010AA", elem: 2, de: "1065", value: "2\x00"},
	{name: "6 in a component", base: base837P,
		edits: []string{"SV1*HC:A0428*", "SV1*HC:§A04\x1b28*"}, code: "6", level: ack.LevelElement, seg: "SV1", loop: "2400", elem: 1, comp: 2, de: "234", value: "A04\x1b28", claim: "C1"},
	{name: "6 in a segment without element rules", base: base837I,
		edits: []string{"LX*1~", "SBR*S*01*GRP2******CI~\nOI***Y***Y~\nMIA*0***§\xfe1~\nNM1*IL*1*DOE*JANE****MI*M456~\nNM1*PR*2*OTHER PAYER*****PI*P888~\nLX*1~"},
		code:  "6", level: ack.LevelElement, seg: "MIA", loop: "2320", elem: 4, value: "\xfe1", claim: "C1"},
	{name: "6 invalid character in number", base: base837P,
		edits: []string{"SV1*HC:A0428*60*UN*1*", "SV1*HC:A0428*60*UN*§1X*"}, code: "6", level: ack.LevelElement, seg: "SV1", loop: "2400", elem: 4, de: "380", value: "1X", claim: "C1"},
	// Identifier and address formats (ruleZip, ruleNPI, ruleEIN).
	{name: "4 billing provider ZIP without +4", base: base837P,
		edits: []string{"N4*TOWN*OH*432150000~", "N4*TOWN*OH*§43215~"}, code: "4", level: ack.LevelElement, seg: "N4", loop: "2010AA", elem: 3, de: "116", value: "43215"},
	{name: "4 institutional billing provider ZIP of 4 digits", base: base837I,
		edits: []string{"N4*TOWN*OH*432150000~", "N4*TOWN*OH*§4321~"}, code: "4", level: ack.LevelElement, seg: "N4", loop: "2010AA", elem: 3, de: "116", value: "4321"},
	{name: "4 service facility ZIP without +4", base: base837P,
		edits: []string{"LX*1~", "NM1*77*2*FACILITY*****XX*1234567893~\nN3*2 MAIN ST~\nN4*TOWN*OH*§43215~\nLX*1~"},
		code:  "4", level: ack.LevelElement, seg: "N4", loop: "2310C", elem: 3, de: "116", value: "43215", claim: "C1"},
	{name: "4 subscriber ZIP of 7 digits", base: base837P,
		edits: []string{"NM1*IL*1*DOE*JOHN****MI*M123~", "NM1*IL*1*DOE*JOHN****MI*M123~\nN3*2 ELM ST~\nN4*TOWN*OH*§4321500~"},
		code:  "4", level: ack.LevelElement, seg: "N4", loop: "2010BA", elem: 3, de: "116", value: "4321500"},
	{name: "6 ZIP with a hyphen", base: base837P,
		edits: []string{"NM1*IL*1*DOE*JOHN****MI*M123~", "NM1*IL*1*DOE*JOHN****MI*M123~\nN3*2 ELM ST~\nN4*TOWN*OH*§43215-0000~"},
		code:  "6", level: ack.LevelElement, seg: "N4", loop: "2010BA", elem: 3, de: "116", value: "43215-0000"},
	{name: "7 NPI check digit", base: base837P,
		edits: []string{"NM1*85*2*BILLING CLINIC*****XX*1234567893~", "NM1*85*2*BILLING CLINIC*****XX*§1234567890~"},
		code:  "7", level: ack.LevelElement, seg: "NM1", loop: "2010AA", elem: 9, de: "67", value: "1234567890"},
	{name: "4 NPI of 9 digits", base: base837I,
		edits: []string{"NM1*71*1*ATTENDING*ANN****XX*1234567893~", "NM1*71*1*ATTENDING*ANN****XX*§123456789~"},
		code:  "4", level: ack.LevelElement, seg: "NM1", loop: "2310A", elem: 9, de: "67", value: "123456789", claim: "C1"},
	{name: "6 NPI with a letter", base: base837P,
		edits: []string{"LX*1~", "NM1*82*1*RENDER*RITA****XX*§123456789A~\nLX*1~"},
		code:  "6", level: ack.LevelElement, seg: "NM1", loop: "2310B", elem: 9, de: "67", value: "123456789A", claim: "C1"},
	{name: "6 EIN with a hyphen", base: base837P,
		edits: []string{"REF*EI*123456789~", "REF*EI*§12-3456789~"}, code: "6", level: ack.LevelElement, seg: "REF", loop: "2010AA", elem: 2, de: "127", value: "12-3456789"},
	{name: "4 EIN of 8 digits", base: base837I,
		edits: []string{"REF*EI*123456789~", "REF*EI*§12345678~"}, code: "4", level: ack.LevelElement, seg: "REF", loop: "2010AA", elem: 2, de: "127", value: "12345678"},
	{name: "7 invalid code value", base: base837P,
		edits: []string{"NM1*85*2*", "NM1*85*§3*"}, code: "7", level: ack.LevelElement, seg: "NM1", loop: "2010AA", elem: 2, de: "1065", value: "3"},
	{name: "7 invalid qualifier keeps the segment placed", base: base837P,
		edits: []string{"REF*EI*123456789~", "REF*EI*123456789~\nREF*§Q9*55~"}, code: "7", level: ack.LevelElement, seg: "REF", loop: "2010AA", elem: 1, de: "128", value: "Q9"},
	{name: "7 invalid component code", base: base837P,
		edits: []string{"11:B:1", "11:B:§R"}, code: "7", level: ack.LevelElement, seg: "CLM", loop: "2300", elem: 5, comp: 3, de: "1325", value: "R", claim: "C1"},
	{name: "I6 institutional frequency code on a professional claim", base: base837P,
		edits: []string{"11:B:1", "11:B:§2"}, code: "I6", level: ack.LevelElement, seg: "CLM", loop: "2300", elem: 5, comp: 3, de: "1325", value: "2", claim: "C1"},
	{name: "8 invalid date", base: base837P,
		edits: []string{"DTP*472*D8*20260101~\nLX*2", "DTP*472*D8*§20260230~\nLX*2"}, code: "8", level: ack.LevelElement, seg: "DTP", loop: "2400", elem: 3, de: "1251", value: "20260230", claim: "C1"},
	{name: "8 reversed date range", base: base837P,
		edits: []string{"DTP*472*D8*20260101~\nLX*2", "DTP*472*RD8*§20260105-20260101~\nLX*2"}, code: "8", level: ack.LevelElement, seg: "DTP", loop: "2400", elem: 3, de: "1251", value: "20260105-20260101", claim: "C1"},
	{name: "9 invalid time", base: base837P,
		edits: []string{"BHT*0019*00*0123*20260101*1200*", "BHT*0019*00*0123*20260101*§2561*"}, code: "9", level: ack.LevelElement, seg: "BHT", elem: 5, de: "337", value: "2561"},
	{name: "10 exclusion condition (N4 E0207)", base: base837P,
		edits: []string{"N4*TOWN*OH*432150000~", "N4*TOWN*OH*432150000*CA***§ON~"}, code: "10", level: ack.LevelElement, seg: "N4", loop: "2010AA", elem: 7, de: "1715", value: "ON"},
	{name: "12 too many repetitions", base: base837P,
		edits: []string{"NM1*41*2*SUBMITTER CO*", "NM1*41*2*SUBMITTER CO^§OTHER CO*"}, code: "12", level: ack.LevelElement, seg: "NM1", loop: "1000A", elem: 3, rep: 2, de: "1035", value: "OTHER CO"},
	{name: "13 too many components in a simple element", base: base837P,
		edits: []string{"REF*EI*123456789~", "REF*EI*12345:§6789~"}, code: "13", level: ack.LevelElement, seg: "REF", loop: "2010AA", elem: 2, comp: 2, de: "127", value: "12345:6789"},
	{name: "13 too many components in a composite", base: base837P,
		edits: []string{"SV1*HC:A0428*", "SV1*HC:A0428::::::A:§B*"}, code: "13", level: ack.LevelElement, seg: "SV1", loop: "2400", elem: 1, comp: 9, de: "235", claim: "C1",
		value: "HC:A0428::::::A:B", also: []string{"I10"}},
	{name: "I6 standard code not used by the guide", base: base837P,
		edits: []string{"BILLING CLINIC*****XX*1234567893", "BILLING CLINIC*****§24*123456789"}, code: "I6", level: ack.LevelElement, seg: "NM1", loop: "2010AA", elem: 8, de: "66", value: "24"},
	{name: "I9 SBR02 missing for subscriber who is the patient", base: base837P,
		edits: []string{"SBR*P*18*", "SBR*P*§*"}, code: "I9", level: ack.LevelElement, seg: "SBR", loop: "2000B", elem: 2, de: "1069"},
	{name: "I10 not used element present", base: base837P,
		edits: []string{"CLM*C1*100***", "CLM*C1*100*§X**"}, code: "I10", level: ack.LevelElement, seg: "CLM", loop: "2300", elem: 3, de: "1032", value: "X", claim: "C1"},
	{name: "I12 CLM02 differs from the sum of SV102", base: base837P,
		edits: []string{"CLM*C1*100*", "CLM*C1*§100.5*"}, code: "I12", level: ack.LevelElement, seg: "CLM", loop: "2300", elem: 2, de: "782", value: "100.5", claim: "C1"},
	{name: "I12 CLM02 differs from the sum of SV203", base: base837I,
		edits: []string{"CLM*C1*250*", "CLM*C1*§240*"}, code: "I12", level: ack.LevelElement, seg: "CLM", loop: "2300", elem: 2, de: "782", value: "240", claim: "C1"},
	{name: "I12 HL02 does not point at the parent", base: base837P,
		edits: []string{"HL*2*1*22*0~", "HL*2*§7*22*0~"}, code: "I12", level: ack.LevelElement, seg: "HL", loop: "2000B", elem: 2, de: "734", value: "7"},
	{name: "I12 HL01 out of sequence", base: base837P,
		edits: []string{"HL*2*1*22*0~", "HL*§3*1*22*0~"}, code: "I12", level: ack.LevelElement, seg: "HL", loop: "2000B", elem: 1, de: "628", value: "3"},
	{name: "I12 HL04 promises a child level", base: base837P,
		edits: []string{"HL*2*1*22*0~", "HL*2*1*22*§1~"}, code: "I12", level: ack.LevelElement, seg: "HL", loop: "2000B", elem: 4, de: "736", value: "1"},
	{name: "I12 LX01 out of sequence", base: base837P,
		edits: []string{"LX*2~", "LX*§3~"}, code: "I12", level: ack.LevelElement, seg: "LX", loop: "2400", elem: 1, de: "554", value: "3", claim: "C1"},

	// 837I specifics.
	{name: "837I required statement dates missing", base: base837I,
		edits: []string{"DTP*434*RD8*20260101-20260102~\nCL1", "§CL1"}, code: "3", level: ack.LevelSegment, seg: "DTP", loop: "2300", claim: "C1"},
	{name: "837I PAT not used in 2000B", base: base837I,
		edits: []string{"SBR*P*18*GRP1******CI~", "SBR*P*18*GRP1******CI~\n§PAT*01~"}, code: "I4", level: ack.LevelSegment, seg: "PAT", loop: "2000B"},
	{name: "837I occurrence code date format", base: base837I,
		edits: []string{"HI*BH:11:D8:20260101~", "HI*BH:11:D8:§2026010~"}, code: "8", level: ack.LevelElement, seg: "HI", loop: "2300", elem: 1, comp: 4, de: "1251", value: "2026010", claim: "C1"},
	{name: "837I value code amount required", base: base837I,
		edits: []string{"HI*BE:01:::12.5~", "HI*BE:01§~"}, code: "1", level: ack.LevelElement, seg: "HI", loop: "2300", elem: 1, comp: 5, de: "782", claim: "C1"},
	{name: "837I professional place of service qualifier", base: base837I,
		edits: []string{"13:A:1", "13:§B:1"}, code: "7", level: ack.LevelElement, seg: "CLM", loop: "2300", elem: 5, comp: 2, de: "1332", value: "B", claim: "C1"},
	{name: "837I unit code", base: base837I,
		edits: []string{"SV2*0450*HC:G0008*150*UN*", "SV2*0450*HC:G0008*150*§MJ*"}, code: "7", level: ack.LevelElement, seg: "SV2", loop: "2400", elem: 4, de: "355", value: "MJ", claim: "C1"},
}

func TestIssues(t *testing.T) {
	for _, tt := range issueTests {
		t.Run(tt.name, func(t *testing.T) {
			body := edit(t, tt.base, tt.edits...)
			issues, events, off, pos := run(t, body)
			if off < 0 {
				t.Fatal("test body has no marker")
			}
			if n := strings.Count(body, "~"); len(events) != n {
				t.Errorf("%d events for %d segments", len(events), n)
			}
			var found *ack.Issue
			var others []string
			for i := range issues {
				is := &issues[i]
				if found == nil && is.Code == tt.code && is.Offset == off {
					found = is
					continue
				}
				others = append(others, is.Code)
			}
			if found == nil {
				t.Fatalf("no issue %s at offset %d; got:%s", tt.code, off, describe(issues))
			}
			if fmt.Sprint(others) != fmt.Sprint(tt.also) && !(len(others) == 0 && len(tt.also) == 0) {
				t.Errorf("other issues %v, want %v:%s", others, tt.also, describe(issues))
			}
			got := *found
			if got.Level != tt.level || got.Position != pos || got.SegmentID != tt.seg || got.Loop != tt.loop {
				t.Errorf("issue level %v position %d segment %s loop %q, want %v %d %s %q", got.Level, got.Position,
					got.SegmentID, got.Loop, tt.level, pos, tt.seg, tt.loop)
			}
			if got.Element != tt.elem || got.Component != tt.comp || got.Repetition != tt.rep || got.DataElement != tt.de {
				t.Errorf("issue element %d-%d rep %d de %q, want %d-%d rep %d de %q", got.Element, got.Component,
					got.Repetition, got.DataElement, tt.elem, tt.comp, tt.rep, tt.de)
			}
			if got.Value != tt.value || got.ClaimID != tt.claim {
				t.Errorf("issue value %q claim %q, want %q %q", got.Value, got.ClaimID, tt.value, tt.claim)
			}
			wantSegCode := ""
			if tt.level == ack.LevelElement {
				wantSegCode = "8"
			}
			wantSev := ack.Error
			if tt.warn {
				wantSev = ack.Warning
			}
			if got.SegmentCode != wantSegCode || got.Severity != wantSev || got.Ordinal == 0 || got.Message == "" {
				t.Errorf("issue segment code %q severity %v ordinal %d message %q", got.SegmentCode, got.Severity, got.Ordinal, got.Message)
			}
		})
	}
}

// TestEveryCodeHasACase keeps the issue table complete: each code the
// parser can emit is exercised above.
func TestEveryCodeHasACase(t *testing.T) {
	emitted := map[ack.Level][]string{
		ack.LevelSegment: {"1", "2", "3", "4", "5", "7", "I4", "I6", "I7", "I9"},
		ack.LevelElement: {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13", "I6", "I9", "I10", "I12"},
	}
	for level, codes := range emitted {
		for _, c := range codes {
			ok := false
			for _, tt := range issueTests {
				ok = ok || tt.level == level && tt.code == c
			}
			if !ok {
				t.Errorf("no issue test for %v code %s", level, c)
			}
		}
	}
}

// placementTest checks where segments land: each want entry is
// "ID loop parent" for the segment at that 1-based position, with a "+"
// after the loop when the segment opens it.
type placementTest struct {
	name  string
	body  string
	edits []string
	want  map[int]string
}

var placementTests = []placementTest{
	{name: "header, levels and trailer", body: base837P, want: map[int]string{
		1: "ST HEADER -", 2: "BHT HEADER -", 3: "NM1 1000A+ -", 4: "PER 1000A -", 5: "NM1 1000B+ -",
		6: "HL 2000A+ -", 7: "PRV 2000A -", 8: "NM1 2010AA+ 2000A", 12: "HL 2000B+ 2000A", 13: "SBR 2000B 2000A",
		14: "NM1 2010BA+ 2000B", 16: "NM1 2010BB+ 2000B", 17: "CLM 2300+ 2000B", 18: "HI 2300 2000B",
		19: "LX 2400+ 2300", 20: "SV1 2400 2300", 22: "LX 2400+ 2300", 25: "SE TRAILER -"}},
	{name: "2000C opens under 2000B", body: base837P,
		edits: []string{"HL*2*1*22*0~", "HL*2*1*22*1~", "SBR*P*18*", "SBR*P**", "CLM*C1", "HL*3*2*23*0~\nPAT*19~\nNM1*QC*1*DOE*JANE~\nN3*1 MAIN ST~\nN4*TOWN*OH*432150000~\nDMG*D8*20100101*F~\nCLM*C1"},
		want:  map[int]string{17: "HL 2000C+ 2000B", 18: "PAT 2000C 2000B", 19: "NM1 2010CA+ 2000C", 23: "CLM 2300+ 2000C", 25: "LX 2400+ 2300"}},
	{name: "claim providers by entity code", body: base837P,
		edits: []string{"LX*1~", "NM1*DN*1*REFER*RAY****XX*1234567893~\nNM1*82*1*RENDER*RITA****XX*1234567893~\nPRV*PE*PXC*207Q00000X~\nNM1*77*2*FACILITY*****XX*1234567893~\nN3*2 MAIN ST~\nN4*TOWN*OH*432150000~\nLX*1~"},
		want:  map[int]string{19: "NM1 2310A+ 2300", 20: "NM1 2310B+ 2300", 21: "PRV 2310B 2300", 22: "NM1 2310C+ 2300", 23: "N3 2310C 2300"},
	},
	{name: "line rendering provider is 2420A, not 2310B", body: base837P,
		edits: []string{"DTP*472*D8*20260101~\nLX*2~", "DTP*472*D8*20260101~\nNM1*82*1*RENDER*RITA****XX*1234567893~\nLX*2~"},
		want:  map[int]string{22: "NM1 2420A+ 2400", 23: "LX 2400+ 2300"}},
	{name: "other payer loops under 2320", body: base837P,
		edits: []string{"LX*1~", "SBR*S*01*GRP2******CI~\nOI***Y*P**Y~\nNM1*IL*1*DOE*JANE****MI*M456~\nNM1*PR*2*OTHER PAYER*****PI*P888~\nNM1*82*1~\nREF*G2*ABC~\nLX*1~"},
		want:  map[int]string{19: "SBR 2320+ 2300", 20: "OI 2320 2300", 21: "NM1 2330A+ 2320", 22: "NM1 2330B+ 2320", 23: "NM1 2330D+ 2320", 24: "REF 2330D 2320", 25: "LX 2400+ 2300"}},
	{name: "institutional claim codes and providers", body: base837I, want: map[int]string{
		17: "DTP 2300 2000B", 18: "CL1 2300 2000B", 20: "HI 2300 2000B", 22: "NM1 2310A+ 2300", 24: "SV2 2400 2300"}},
	{name: "hierarchical level chosen from HL02 when HL03 is bad", body: base837P,
		edits: []string{"HL*2*1*22*0~", "HL*2*1*99*0~"},
		want:  map[int]string{12: "HL 2000B+ 2000A", 13: "SBR 2000B 2000A"}},
	{name: "unplaced segment keeps the state", body: base837P,
		edits: []string{"CLM*C1", "XYZ*1~\nCLM*C1"},
		want:  map[int]string{17: "XYZ ? -", 18: "CLM 2300+ 2000B"}},
}

func TestPlacement(t *testing.T) {
	for _, tt := range placementTests {
		t.Run(tt.name, func(t *testing.T) {
			body := edit(t, tt.body, tt.edits...)
			_, events, _, _ := run(t, body)
			if n := strings.Count(body, "~"); len(events) != n {
				t.Fatalf("%d events for %d segments", len(events), n)
			}
			for i, e := range events {
				if e.Seg.Position != i+1 {
					t.Fatalf("event %d is for position %d", i+1, e.Seg.Position)
				}
				want, ok := tt.want[i+1]
				if !ok {
					continue
				}
				loop := e.Loop
				if e.NewLoop {
					loop += "+"
				}
				if e.Unplaced {
					loop = "?"
				}
				parent := e.Parent
				if parent == "" {
					parent = "-"
				}
				if got := e.Seg.Tag() + " " + loop + " " + parent; got != want {
					t.Errorf("position %d: %s, want %s", i+1, got, want)
				}
			}
		})
	}
}

func TestHandlerErrorIsReturned(t *testing.T) {
	stop := errors.New("stop")
	p := NewParser(Lookup("837", "005010X222A1"), HandlerFunc(func(e Event) error {
		if e.Seg.Is("BHT") {
			return stop
		}
		return nil
	}))
	st := x12.NewSegment([]byte("ST*837*0001*005010X222A1"), x12.DefaultDelimiters)
	bht := x12.NewSegment([]byte("BHT*0019*00*1*20260101*1200*CH"), x12.DefaultDelimiters)
	if err := p.Segment(st); err != nil {
		t.Fatal(err)
	}
	if err := p.Segment(bht); !errors.Is(err, stop) {
		t.Fatalf("err = %v, want the handler's", err)
	}
}

func TestResetReusesParser(t *testing.T) {
	bad := edit(t, base837P, "NM1*85*2*", "NM1*85*3*")
	s := Lookup("837", "005010X222A1")
	p := NewParser(s, nil)
	feed := func(body string) []ack.Issue {
		rd := x12.NewReader(strings.NewReader(fmt.Sprintf(envelopeHead, "005010X222A1") + body + envelopeTail))
		for {
			seg, err := rd.Read()
			if err != nil {
				break
			}
			if seg.Position > 0 {
				if err := p.Segment(seg); err != nil {
					t.Fatal(err)
				}
			}
		}
		return p.Finish()
	}
	first := feed(bad)
	if len(first) != 1 {
		t.Fatalf("first set: %s", describe(first))
	}
	p.Reset()
	if second := feed(base837P); len(second) != 0 {
		t.Fatalf("second set after Reset: %s", describe(second))
	}
	if first[0].Code != "7" {
		t.Fatalf("first set's issues changed after Reset: %s", describe(first))
	}
}

func TestMaxIssues(t *testing.T) {
	body := edit(t, base837P, "CLM*C1", strings.Repeat("XYZ*1~\n", 20)+"CLM*C1")
	s := Lookup("837", "005010X222A1")
	p := NewParser(s, nil)
	p.MaxIssues = 5
	rd := x12.NewReader(strings.NewReader(fmt.Sprintf(envelopeHead, "005010X222A1") + body + envelopeTail))
	for {
		seg, err := rd.Read()
		if err != nil {
			break
		}
		if seg.Position > 0 {
			_ = p.Segment(seg)
		}
	}
	if got := p.Finish(); len(got) != 5 || p.Dropped != 15 {
		t.Fatalf("%d issues kept, %d dropped; want 5 and 15", len(got), p.Dropped)
	}
}

func TestLookupAndSets(t *testing.T) {
	for _, pair := range [][2]string{{"837", "005010X222A1"}, {"837", "005010X223A2"}, {"835", "005010X221A1"}} {
		s := Lookup(pair[0], pair[1])
		if s == nil || s.SetID() != pair[0] || s.Version() != pair[1] {
			t.Errorf("Lookup(%s, %s) = %v", pair[0], pair[1], s)
		}
	}
	for _, pair := range [][2]string{{"837", "005010X224A2"}, {"835", "004010X091A1"}, {"837", ""}} {
		if s := Lookup(pair[0], pair[1]); s != nil {
			t.Errorf("Lookup(%s, %s) = %s, want nil", pair[0], pair[1], s.Version())
		}
	}
	for _, want := range []string{"270/005010X279A1", "271/005010X279A1", "276/005010X212", "277/005010X212",
		"277/005010X214", "835/005010X221A1", "837/005010X222A1", "837/005010X223A2"} {
		if !slices.Contains(Sets(), want) {
			t.Errorf("Sets() = %v, want %s listed", Sets(), want)
		}
	}
	if !slices.IsSorted(Sets()) {
		t.Errorf("Sets() = %v, not sorted", Sets())
	}
}
