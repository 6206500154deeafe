package schema

import (
	"strings"
	"testing"
)

// cleanTests are edits of the base sets that the guide allows: the rules
// and the placement must not report them.
var cleanTests = []struct {
	name  string
	base  string
	edits []string
}{
	{name: "replacement claim with REF*F8", base: base837P,
		edits: []string{"11:B:1", "11:B:7", "HI*ABK", "REF*F8*ICN0001~\nHI*ABK"}},
	{name: "void claim with REF*F8", base: base837I,
		edits: []string{"13:A:1", "13:A:8", "HI*ABK", "REF*F8*ICN0001~\nHI*ABK"}},
	{name: "patient level under a subscriber who is not the patient", base: base837P,
		edits: []string{"HL*2*1*22*0~", "HL*2*1*22*1~", "SBR*P*18*", "SBR*P**", "CLM*C1",
			"HL*3*2*23*0~\nPAT*19~\nNM1*QC*1*DOE*JANE~\nN3*1 MAIN ST~\nN4*TOWN*OH*432150000~\nDMG*D8*20100101*F~\nCLM*C1"}},
	{name: "two subscribers, claim balances per claim", base: base837P,
		edits: []string{"SE*", "HL*3*1*22*0~\nSBR*P*18*GRP1******CI~\nNM1*IL*1*ROE*RITA****MI*M124~\nNM1*PR*2*PAYER CO*****PI*P999~\n" +
			"CLM*C2*12.5***11:B:1*Y*A*Y*Y~\nHI*ABK:R51~\nLX*1~\nSV1*HC:A0428*12.5*UN*1***1~\nDTP*472*D8*20260101~\nSE*"}},
	{name: "same-ID segments in any order", base: base837P,
		edits: []string{"HI*ABK", "DTP*454*D8*20251201~\nDTP*431*D8*20251130~\nREF*D9*TRACE1~\nREF*G1*AUTH1~\nHI*ABK"}},
	{name: "institutional code families in any order", base: base837I,
		edits: []string{"HI*BH:11:D8:20260101~", "HI*BG:01*BG:02~\nHI*BI:70:RD8:20251201-20251205~\nHI*ABF:E119:::::::Y~\nHI*BH:11:D8:20260101~"}},
	{name: "line repricing with paired elements", base: base837P,
		edits: []string{"DTP*472*D8*20260101~\nLX*2", "DTP*472*D8*20260101~\nREF*9B*RP1~\nHCP*02*55*5*REPRICER**********2~\nLX*2"}},
	{name: "institutional admission hour and discharge time", base: base837I,
		edits: []string{"DTP*434*", "DTP*096*TM*1130~\nDTP*434*", "CL1*", "DTP*435*DT*202601010800~\nCL1*"}},
	{name: "drug, line providers and prior payer adjudication", base: base837P,
		edits: []string{"DTP*472*D8*20260101~\nLX*2", "DTP*472*D8*20260101~\nLIN**N4*00002143481~\nCTP****1*UN~\n" +
			"NM1*82*1*RENDER*RITA****XX*1234567893~\nNM1*QB*2******XX*1234567893~\n" +
			"SVD*P888*50*HC:A0428**1~\nCAS*CO*45*10~\nDTP*573*D8*20260115~\nLX*2"}},
}

func TestCleanVariants(t *testing.T) {
	for _, tt := range cleanTests {
		t.Run(tt.name, func(t *testing.T) {
			body := edit(t, tt.base, tt.edits...)
			issues, events, _, _ := run(t, body)
			if len(issues) != 0 {
				t.Errorf("issues:%s", describe(issues))
			}
			if n := strings.Count(body, "~"); len(events) != n {
				t.Errorf("%d events for %d segments", len(events), n)
			}
		})
	}
}

// FuzzParser feeds arbitrary set bodies through the parser: it must not
// panic and must emit one event per segment.
func FuzzParser(f *testing.F) {
	f.Add(base837P)
	f.Add(base837I)
	for _, tt := range issueTests {
		f.Add(strings.ReplaceAll(tt.base, marker, ""))
	}
	f.Fuzz(func(t *testing.T, body string) {
		body = strings.ReplaceAll(body, marker, "")
		// One set per run: other envelopes (or a second ST) are not bodies.
		if strings.Contains(body, "ISA") || strings.Contains(body, "IEA") || strings.Contains(body, "GE") ||
			strings.Count(body, "ST") > 1 {
			t.Skip()
		}
		_, events, _, _ := run(t, body)
		for i, e := range events {
			if e.Seg.Position != i+1 {
				t.Fatalf("event %d for position %d", i+1, e.Seg.Position)
			}
			if !e.Unplaced && e.Loop == "" {
				t.Fatalf("placed event without loop at %d", i+1)
			}
		}
	})
}
