package schema

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
	"github.com/clearinghouse/clearinghouse/internal/corpustest"
)

// base277CA is a valid 277CA (005010X214) set using every segment of the
// table: a clearinghouse acknowledging one accepted 837I claim and one
// rejected claim with a rejected line (synthetic data; HCPCS Level II
// codes; Luhn-valid NPI).
const base277CA = `ST*277*0001*005010X214~
BHT*0085*08*CH0001*20260302*1430*TH~
HL*1**20*1~
NM1*AY*2*ALLIANCE CLEARINGHOUSE*****46*ALLCH01~
TRN*1*CH0001~
DTP*050*D8*20260301~
DTP*009*D8*20260302~
HL*2*1*21*1~
NM1*41*2*NORTHWIND BILLING*****46*SUBMIT01~
TRN*2*0123~
STC*A1:19:AY*20260302*WQ*350~
QTY*90*1~
QTY*AA*1~
AMT*YU*200~
AMT*YY*150~
HL*3*2*19*1~
NM1*85*2*GENERAL HOSPITAL*****XX*1777777776~
TRN*1*0~
STC*A1:19:AY**WQ*350~
REF*TJ*741234567~
QTY*QA*1~
QTY*QC*1~
AMT*YU*200~
AMT*YY*150~
HL*4*3*PT~
NM1*QC*1*LANE*LOIS****MI*MBR500001~
TRN*2*I9001~
STC*A1:20*20260302*WQ*200~
REF*1K*ALL0001~
REF*D9*CH-77881~
REF*BLT*131~
DTP*472*RD8*20260210-20260214~
HL*5*3*PT~
NM1*QC*1*KENT*KARL****MI*MBR500002~
TRN*2*I9002~
STC*A3:21*20260302*U*150******A7:247*A7:164:IL*LINE REJECTED~
REF*BLT*111~
DTP*472*D8*20260201~
SVC*HC:G0008*150**0636***1~
STC*A7:454*20260302*U~
REF*FJ*L1~
REF*XZ*RX001~
DTP*472*D8*20260201~
SE*45*0001~
`

// run214 parses a 277CA body (ST..SE, with an optional marker) like run
// does for 837 bodies.
func run214(t *testing.T, body string) (issues []ack.Issue, events []Event, off int64, pos int) {
	t.Helper()
	return runSet(t, "277", "005010X214", body)
}

// runSet parses body (ST..SE, with an optional marker) of set setID and
// guide version inside an envelope. It returns the issues, the events,
// and the marker's byte offset and segment position in the set (-1
// without a marker).
func runSet(t *testing.T, setID, version, body string) (issues []ack.Issue, events []Event, off int64, pos int) {
	t.Helper()
	head := fmt.Sprintf(envelopeHead, version)
	off, pos = -1, -1
	if k := strings.Index(body, marker); k >= 0 {
		off = int64(len(head) + k)
		pos = strings.Count(body[:k], "~") + 1
		body = body[:k] + body[k+len(marker):]
	}
	s := Lookup(setID, version)
	if s == nil {
		t.Fatalf("no schema for %s/%s", setID, version)
	}
	p := NewParser(s, HandlerFunc(func(e Event) error {
		e.Seg = e.Seg.Clone()
		events = append(events, e)
		return nil
	}))
	rd := x12.NewReader(strings.NewReader(head + body + envelopeTail))
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if seg.Position == 0 {
			continue
		}
		if err := p.Segment(seg); err != nil {
			t.Fatal(err)
		}
	}
	return p.Finish(), events, off, pos
}

func TestSchema277CARegistered(t *testing.T) {
	if Lookup("277", "005010X214") == nil {
		t.Error("Lookup(277, 005010X214) = nil")
	}
	if Lookup("277", "005010X212") == Lookup("277", "005010X214") {
		t.Error("the 276/277 status response (X212) must not use the 277CA table")
	}
	if !slices.Contains(Sets(), "277/005010X214") {
		t.Errorf("Sets() = %v, want 277/005010X214 listed", Sets())
	}
}

func TestSchema277CAValid(t *testing.T) {
	issues, events, _, _ := run214(t, base277CA)
	if len(issues) > 0 {
		t.Fatalf("valid 277CA has issues:%s", describe(issues))
	}
	// Every segment is placed in its loop.
	want := []string{"HEADER", "HEADER", "2000A", "2100A", "2200A", "2200A", "2200A",
		"2000B", "2100B", "2200B", "2200B", "2200B", "2200B", "2200B", "2200B",
		"2000C", "2100C", "2200C", "2200C", "2200C", "2200C", "2200C", "2200C", "2200C",
		"2000D", "2100D", "2200D", "2200D", "2200D", "2200D", "2200D", "2200D",
		"2000D", "2100D", "2200D", "2200D", "2200D", "2200D",
		"2220D", "2220D", "2220D", "2220D", "2220D", "TRAILER"}
	var got []string
	for _, e := range events {
		got = append(got, e.Loop)
	}
	if !slices.Equal(got, want) {
		t.Errorf("loops\n got %v\nwant %v", got, want)
	}
}

// schema214Tests break base277CA in one place each; the marker sits where
// the issue must point.
var schema214Tests = []struct {
	name      string
	edits     []string // old, new pairs applied to base277CA
	code, seg string
	elem      int // 0 for segment issues
	comp      int
	also      []string // other issues expected (issueKey), besides the one at the marker
}{
	{name: "BHT06 not TH", edits: []string{"*1430*TH~", "*1430*§DG~"}, code: "7", seg: "BHT", elem: 6},
	{name: "BHT01 of the 837", edits: []string{"BHT*0085", "BHT*§0019"}, code: "7", seg: "BHT", elem: 1},
	{name: "process date missing", edits: []string{"DTP*009*D8*20260302~\nHL*2", "§HL*2"}, code: "3", seg: "DTP"},
	{
		name: "receipt date not D8", edits: []string{"DTP*050*D8", "DTP*050*§RD8"}, code: "I6", seg: "DTP", elem: 2,
		also: []string{"8 DTP03@6"}, // and the date is not an RD8 period
	},
	{name: "source entity unknown", edits: []string{"NM1*AY", "NM1*§XX"}, code: "7", seg: "NM1", elem: 1},
	{
		name:  "receiver NM1 in the source loop",
		edits: []string{"NM1*AY*2*ALLIANCE CLEARINGHOUSE*****46*ALLCH01~", "§NM1*41*2*ALLIANCE CLEARINGHOUSE*****46*ALLCH01~"},
		code:  "2", seg: "NM1", also: []string{"I7 NM100@5"},
	},
	{
		name:  "receiver STC entity is a standard code the level does not use",
		edits: []string{"STC*A1:19:AY*20260302", "STC*A1:19:§85*20260302"}, code: "I6", seg: "STC", elem: 1, comp: 3,
	},
	{
		name:  "provider STC02 not used",
		edits: []string{"STC*A1:19:AY**WQ", "STC*A1:19:AY*§20260302*WQ"}, code: "I10", seg: "STC", elem: 2,
	},
	{
		name:  "finalized category in a 277CA",
		edits: []string{"STC*A1:20*", "STC*§F1:20*"}, code: "7", seg: "STC", elem: 1, comp: 1,
	},
	{
		name:  "pending category in STC10",
		edits: []string{"******A7:247", "******§P1:247"}, code: "7", seg: "STC", elem: 10, comp: 1,
	},
	{name: "claim STC04 missing", edits: []string{"STC*A1:20*20260302*WQ*200~", "§STC*A1:20*20260302*WQ~"}, code: "1", seg: "STC", elem: 4},
	{name: "claim STC03 not WQ or U", edits: []string{"20260302*WQ*200~", "20260302*§AC*200~"}, code: "7", seg: "STC", elem: 3},
	{name: "line STC accepted", edits: []string{"STC*A7:454*20260302*U~", "STC*A7:454*20260302*§WQ~"}, code: "7", seg: "STC", elem: 3},
	{name: "line STC04 not used", edits: []string{"STC*A7:454*20260302*U~", "STC*A7:454*20260302*U*§150~"}, code: "I10", seg: "STC", elem: 4},
	{name: "patient HL04 not used", edits: []string{"HL*4*3*PT~", "HL*4*3*PT*§0~"}, code: "I10", seg: "HL", elem: 4},
	{
		name: "provider HL04 0", edits: []string{"HL*3*2*19*1~", "HL*3*2*19*§0~"}, code: "7", seg: "HL", elem: 4,
		also: []string{"I12 HL04@16"}, // and it contradicts the patients that follow
	},
	{name: "patient HL02 not the provider", edits: []string{"HL*5*3*PT", "HL*5*§2*PT"}, code: "I12", seg: "HL", elem: 2},
	{name: "HL01 out of sequence", edits: []string{"HL*5*3*PT", "HL*§6*3*PT"}, code: "I12", seg: "HL", elem: 1},
	{name: "patient ID qualifier", edits: []string{"****MI*MBR500001", "****§XX*MBR500001"}, code: "I6", seg: "NM1", elem: 8},
	{
		name:  "patient ID missing",
		edits: []string{"NM1*QC*1*LANE*LOIS****MI*MBR500001~", "§NM1*QC*1*LANE*LOIS~"}, code: "1", seg: "NM1", elem: 8,
		also: []string{"1 NM109@26"},
	},
	{name: "REF*1K twice", edits: []string{"REF*D9*CH-77881~", "§REF*1K*ALL0002~\nREF*D9*CH-77881~"}, code: "5", seg: "REF"},
	{name: "claim service date missing", edits: []string{"DTP*472*RD8*20260210-20260214~\nHL*5", "§HL*5"}, code: "3", seg: "DTP"},
	{name: "claim RD8 reversed", edits: []string{"RD8*20260210-20260214", "RD8*§20260214-20260210"}, code: "8", seg: "DTP", elem: 3},
	{name: "QTY after AMT", edits: []string{"AMT*YY*150~\nHL*3", "AMT*YY*150~\n§QTY*90*1~\nHL*3", "QTY*90*1~\nQTY*AA", "QTY*AA"}, code: "7", seg: "QTY"},
	{name: "SVC01 qualifier", edits: []string{"SVC*HC:G0008", "SVC*§ZZ:G0008"}, code: "7", seg: "SVC", elem: 1, comp: 1},
	{name: "SVC05 not used", edits: []string{"*150**0636***1~", "*150**0636*§2**1~"}, code: "I10", seg: "SVC", elem: 5},
	{name: "line STC missing", edits: []string{"STC*A7:454*20260302*U~\n", "", "REF*FJ*L1", "§REF*FJ*L1"}, code: "3", seg: "STC"},
	{name: "provider trace loop missing", edits: []string{"TRN*1*0~\nSTC*A1:19:AY**WQ*350~\nREF*TJ*741234567~\nQTY*QA*1~\nQTY*QC*1~\nAMT*YU*200~\nAMT*YY*150~\nHL*4", "§HL*4"}, code: "I7", seg: "TRN"},
	{
		name:  "provider without patients",
		edits: []string{base277CA[strings.Index(base277CA, "HL*4*3*PT~"):], "§SE*25*0001~\n"}, code: "I7", seg: "HL",
		also: []string{"I12 HL04@16"},
	},
}

func TestSchema277CAIssues(t *testing.T) {
	for _, tc := range schema214Tests {
		t.Run(tc.name, func(t *testing.T) {
			issues, _, off, pos := run214(t, edit(t, base277CA, tc.edits...))
			if off < 0 {
				t.Fatal("test body has no marker")
			}
			var hit bool
			var others []string
			for _, is := range issues {
				if is.Code == tc.code && is.SegmentID == tc.seg && is.Element == tc.elem && is.Component == tc.comp &&
					is.Offset == off && is.Position == pos && !hit {
					hit = true
					continue
				}
				others = append(others, issueKey(is))
			}
			if !hit {
				t.Errorf("no issue %s on %s%02d-%d at offset %d (position %d):%s", tc.code, tc.seg, tc.elem, tc.comp,
					off, pos, describe(issues))
			}
			if !slices.Equal(others, tc.also) {
				t.Errorf("other issues %q, want %q", others, tc.also)
			}
		})
	}
}

// corpus277CA is, for every 277CA of the shared corpus, the issues the
// X214 table finds ("code SEGxx-c@position", element 0 for segment
// issues) and why the sample breaks the guide. Every file is listed: each
// breaks the guide somewhere, and each listed issue was checked by hand.
var corpus277CA = map[string]struct {
	why    string
	issues []string
}{
	"X12Parser__277_Deidentified_from_nth.txt": {
		why: "de-identified placeholders: BHT01 9999, BHT05 9999, status category X9, entities XX and 99",
		issues: []string{"7 BHT01@2", "9 BHT05@2",
			"7 STC01-1@11", "7 STC01-3@11", "7 STC01-1@17", "7 STC01-3@17",
			"7 STC01-1@23", "7 STC01-3@23", "7 STC01-1@24", "7 STC01-3@24", "7 STC01-1@25", "7 STC01-3@25",
			"7 STC01-1@30", "7 STC01-3@30",
			"7 STC01-1@36", "7 STC01-3@36", "7 STC01-1@37", "7 STC01-3@37", "7 STC01-1@38", "7 STC01-3@38",
			"7 STC01-1@43", "7 STC01-3@43", "7 STC01-1@44", "7 STC01-3@44", "7 STC01-1@45", "7 STC01-3@45"},
	},
	"X12Parser__FromAlexbrodsky.txt": {
		why:    "2200C has TRN but no STC (required)",
		issues: []string{"3 STC00@17"},
	},
	"X12Parser__FromBogeyone.txt": {
		why:    "truncated after the 2000B HL: no 2100B, 2200B, 2000C, SE",
		issues: []string{"I7 NM100@8", "I7 TRN00@8", "I7 HL00@8", "I12 HL04@8"},
	},
	"X12Parser__FromLatitude81uk.txt": {
		why: "scrambled test data: BHT01/04/05, DTP*040/*006 for *050/*009 with 9-digit dates, STC02/03 garbage, RD8 of 7-digit dates",
		issues: []string{"7 BHT01@2", "8 BHT04@2", "9 BHT05@2", "7 DTP01@6", "8 DTP03@6", "7 DTP01@7", "8 DTP03@7",
			"3 DTP00@8", "3 DTP00@8", "8 STC02@11", "7 STC03@11", "4 STC02@24", "8 DTP03@26"},
	},
	"api-examples__277CA-all-fields.edi": {
		why: "HL 9 (a rejected provider, HL04 0, no 2000D) sent before HL 3 and again later; 2200C STC02 sent; line STC02 missing",
		issues: []string{"I12 HL01@16", "7 HL04@16", "I10 STC02@19", "I7 HL00@22", "I12 HL01@22",
			"1 STC02@37", "1 STC02@42", "I12 HL02@76"},
	},
	"api-examples__277CA-receiver-rejected.edi": {
		why:    "receiver-level rejection: HL04 1 at 2000B but no 2000C follows",
		issues: []string{"I12 HL04@8", "I7 HL00@16"},
	},
	"api-examples__X214-payer-response-multiple-responders.edi": {
		why:    "a rejected provider sent as HL*..*19*0 without a 2000D (2000C HL04 is 1 only, 2000D required); its 2200C STC02 sent",
		issues: []string{"7 HL04@52", "I10 STC02@55", "I7 HL00@58"},
	},
	"api-examples__X214-payer-response.edi": {
		why:    "2000C without its required 2200C (TRN/STC)",
		issues: []string{"I7 TRN00@18"},
	},
	"cosyte-x12__277ca-canonical.edi": {
		why: "276/277-shaped body: no 2200A, TRN/STC in 2100B, NM1*1P provider, HL 22 subscriber with NM1*IL, no DTP*472",
		issues: []string{"I7 TRN00@5", "2 TRN00@7", "2 STC00@8", "2 QTY00@9", "2 AMT00@10", "I7 TRN00@11",
			"I6 NM101@12", "2 TRN00@13", "2 STC00@14", "2 REF00@15", "2 DTP00@16", "I7 TRN00@17", "7 HL03@17",
			"I10 HL04@17", "I6 NM101@18", "3 DTP00@22"},
	},
	"cosyte-x12__277ca.edi": {
		why: "same body as 277ca-canonical",
		issues: []string{"I7 TRN00@5", "2 TRN00@7", "2 STC00@8", "2 QTY00@9", "2 AMT00@10", "I7 TRN00@11",
			"I6 NM101@12", "2 TRN00@13", "2 STC00@14", "2 REF00@15", "2 DTP00@16", "I7 TRN00@17", "7 HL03@17",
			"I10 HL04@17", "I6 NM101@18", "3 DTP00@22"},
	},
	"cosyte-x12__277ca-hl-orphan.edi": {
		why: "parser fixture: HL02 points at a missing parent; no 2200A/2200B/2200C; NM1*1P, HL 22, NM1*IL; no DTP*472",
		issues: []string{"I7 TRN00@5", "I7 TRN00@7", "I6 NM101@8", "I7 TRN00@9", "I12 HL02@9", "7 HL03@9",
			"I10 HL04@9", "I6 NM101@10", "3 DTP00@13"},
	},
	"x12-parser__x12_277CA_accepted.txt": {
		why:    "2200C without STC; DTP*472 date 10010101 (year 1001)",
		issues: []string{"3 STC00@17", "8 DTP03@22"},
	},
	"x12-parser__x12_277CA_rejected.txt": {
		why:    "2200C without STC (same body as FromAlexbrodsky)",
		issues: []string{"3 STC00@17"},
	},
}

// parse277Sets runs every 277CA set of an interchange stream through the
// X214 table and returns the issues of each set.
func parse277Sets(t *testing.T, r io.Reader) [][]ack.Issue {
	t.Helper()
	s := Lookup("277", "005010X214")
	rd := x12.NewReader(r)
	var (
		out [][]ack.Issue
		p   *Parser
	)
	finish := func() {
		if p != nil {
			out = append(out, p.Finish())
			p = nil
		}
	}
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var se *x12.SyntaxError
		if errors.As(err, &se) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case seg.Is("ST"):
			finish()
			p = NewParser(s, nil)
		case seg.Position == 0:
			finish()
			continue
		}
		if p == nil {
			continue
		}
		if err := p.Segment(seg); err != nil {
			t.Fatal(err)
		}
		if seg.Is("SE") {
			finish()
		}
	}
	finish()
	return out
}

// issueKey formats an issue as corpus277CA lists it.
func issueKey(is ack.Issue) string {
	k := fmt.Sprintf("%s %s%02d", is.Code, is.SegmentID, is.Element)
	if is.Component > 0 {
		k += fmt.Sprintf("-%d", is.Component)
	}
	return fmt.Sprintf("%s@%d", k, is.Position)
}

func TestCorpus277CA(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "277CA", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		corpustest.Missing(t, "shared corpus not present")
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			want, listed := corpus277CA[name]
			if !listed {
				t.Fatal("277CA sample not listed in corpus277CA: check it by hand and list its issues")
			}
			seen[name] = true
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sets := parse277Sets(t, f)
			if len(sets) != 1 {
				t.Fatalf("%d sets, want 1", len(sets))
			}
			var got []string
			for _, is := range sets[0] {
				got = append(got, issueKey(is))
				if os.Getenv("SCHEMA_CORPUS_DUMP") != "" {
					t.Logf("%s %q", is, is.Value)
				}
			}
			if !slices.Equal(got, want.issues) {
				t.Errorf("issues (%s)\n got %q\nwant %q", want.why, got, want.issues)
			}
		})
	}
	for name := range corpus277CA {
		if !seen[name] && len(files) > 0 {
			t.Errorf("%s listed but not in the corpus", name)
		}
	}
}

// TestCorpus277CARepaired fixes by hand what two real samples break and
// expects no issue at all: the table accepts the real-world shapes.
func TestCorpus277CARepaired(t *testing.T) {
	repairs := []struct {
		file  string
		edits []string
	}{
		{"x12-parser__x12_277CA_accepted.txt", []string{
			"TRN*1*1107000000000135FF~", "TRN*1*1107000000000135FF~\nSTC*A1:19:PR**WQ*125~",
			"DTP*472*D8*10010101", "DTP*472*D8*20110101"}},
		{"X12Parser__FromAlexbrodsky.txt", []string{
			"TRN*1*1107000000000001FF~", "TRN*1*1107000000000001FF~STC*A1|19|PR**WQ*199.14~"}},
		{"api-examples__X214-payer-response.edi", []string{
			"NM1*85*1*JONES*HARRY*B**MD*FI*234567894~", "NM1*85*1*JONES*HARRY*B**MD*FI*234567894~\nTRN*1*0~\nSTC*A1:19:PR**WQ*365.5~"}},
	}
	for _, r := range repairs {
		t.Run(r.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(corpusDir, "277CA", r.file))
			if errors.Is(err, os.ErrNotExist) {
				corpustest.Missing(t, "shared corpus not present")
			}
			if err != nil {
				t.Fatal(err)
			}
			body := edit(t, string(data), r.edits...)
			sets := parse277Sets(t, strings.NewReader(body))
			if len(sets) != 1 || len(sets[0]) > 0 {
				t.Errorf("repaired sample has issues:%s", describe(slices.Concat(sets...)))
			}
		})
	}
}
