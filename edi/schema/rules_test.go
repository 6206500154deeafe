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
	{name: "5-digit ZIP outside the ZIP+4 loops, postal code abroad", base: base837P,
		edits: []string{"NM1*IL*1*DOE*JOHN****MI*M123~", "NM1*IL*1*DOE*JOHN****MI*M123~\nN3*2 ELM ST~\nN4*TOWN*OH*43215~",
			"NM1*PR*2*PAYER CO*****PI*P999~", "NM1*PR*2*PAYER CO*****PI*P999~\nN3*1 RUE~\nN4*TORONTO**M5V2T6*CA~"}},
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

// fuzzParserSeeds are the seed bodies of FuzzParser: the base sets and
// the bodies of every issue test.
func fuzzParserSeeds() []string {
	seeds := []string{base837P, base837I}
	for _, tt := range issueTests {
		seeds = append(seeds, strings.ReplaceAll(applyEdits(tt.base, tt.edits), marker, ""))
	}
	for _, tt := range cleanTests {
		seeds = append(seeds, applyEdits(tt.base, tt.edits))
	}
	return seeds
}

// applyEdits is edit without a test: pairs whose old text is absent are
// left out.
func applyEdits(body string, pairs []string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		body = strings.Replace(body, pairs[i], pairs[i+1], 1)
	}
	return body
}

// notOneSetBody reports whether a FuzzParser input is not one set body
// (ST..SE) that run can place in its envelope: a segment that starts an
// interchange (ISA) or ends it (IEA) would make the reader leave the
// envelope, and a second ST would restart the positions. Segments are
// taken as the reader sees them (terminator '~', element separator '*',
// line breaks and indentation before the ID ignored), so text such as
// "N3*1 MAIN ST" is not mistaken for an ST segment.
func notOneSetBody(body string) bool {
	sts := 0
	for _, seg := range strings.Split(body, "~") {
		seg = strings.TrimLeft(seg, " \t\r\n")
		id, _, _ := strings.Cut(seg, "*")
		switch {
		case strings.HasPrefix(seg, "ISA"), id == "IEA":
			return true
		case id == "ST":
			sts++
		}
	}
	return sts > 1
}

// Every FuzzParser seed is a body the target runs (a filter that skipped
// them all made earlier fuzz runs fuzz almost nothing).
func TestFuzzParserSeedsRun(t *testing.T) {
	seeds := fuzzParserSeeds()
	distinct := map[string]bool{}
	for _, s := range seeds {
		distinct[s] = true
	}
	// The fuzzing engine drops duplicate seeds: seeds that were the bare
	// bases of the issue tests once left it with two inputs.
	if len(distinct) < len(issueTests) {
		t.Fatalf("only %d distinct seeds for %d issue tests", len(distinct), len(issueTests))
	}
	for i, body := range seeds {
		if notOneSetBody(body) {
			t.Errorf("seed %d is skipped by the fuzz target:\n%s", i, body)
		}
	}
	for _, body := range []string{"ISA*00~", "ST*837*1~IEA*1*1~", "ST*837*1~SE*2*1~\r\n ST*837*2~"} {
		if !notOneSetBody(body) {
			t.Errorf("%q is not one set body but is not skipped", body)
		}
	}
}

// FuzzParser feeds arbitrary set bodies through the parser: it must not
// panic and must emit one event per segment.
func FuzzParser(f *testing.F) {
	for i, body := range fuzzParserSeeds() {
		if notOneSetBody(body) {
			f.Fatalf("seed %d would be skipped", i)
		}
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		body = strings.ReplaceAll(body, marker, "")
		// One set per run: other envelopes (or a second ST) are not bodies.
		if notOneSetBody(body) {
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

func TestValidNPI(t *testing.T) {
	for _, npi := range []string{"1234567893", "1245319599", "1679576722"} {
		if !ValidNPI(npi) {
			t.Errorf("%s: valid NPI rejected", npi)
		}
	}
	for _, npi := range []string{"1234567890", "123456789", "12345678931", "123456789A", ""} {
		if ValidNPI(npi) {
			t.Errorf("%q: invalid NPI accepted", npi)
		}
	}
	// Exactly one check digit completes any nine digits.
	for _, base := range []string{"000000000", "999999999", "123456789", "314159265"} {
		n := 0
		for d := '0'; d <= '9'; d++ {
			if ValidNPI(base + string(d)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d valid check digits", base, n)
		}
	}
}
