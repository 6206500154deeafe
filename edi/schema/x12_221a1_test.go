package schema

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// base835 is a valid 835 (005010X221A1) set that balances: a paid claim
// with two lines (CO and PR adjustments), a reversal without lines (every
// amount negated) and provider-level adjustments that reduce (WO) and
// increase (L6) the payment. Σ CLP04 = 195 − 80 = 115; PLB 40 − 72.5;
// BPR02 = 115 − (−32.5) = 147.5. Synthetic data, HCPCS Level II codes,
// Luhn-valid NPI.
const base835 = `ST*835*0001*005010X221A1~
BPR*C*147.5*C*ACH*CCP*01*071000013*DA*123456789*1391234567**01*075000019*DA*987654321*20261209~
TRN*1*EFT0000012345*1391234567~
N1*PR*ALLIANCE HEALTH PLAN~
N3*PO BOX 44365~
N4*MADISON*WI*537444365~
PER*BL*EDI SUPPORT*TE*6085550100~
N1*PE*NORTH CLINIC*XX*1234567893~
LX*1~
CLP*PCN1*1*300*195*30*12*ICN1*11*1~
NM1*QC*1*DOE*JANE****MI*M1~
SVC*HC:A0428*200*120**1~
DTM*472*20261120~
CAS*CO*45*50~
CAS*PR*1*20*1*2*10~
SVC*HC:G0008*100*75~
CAS*CO*45*25~
CLP*PCN2*22*-100*-80*-10*12*ICN0~
CAS*CO*45*-10~
CAS*PR*2*-10~
NM1*QC*1*ROE*RICH****MI*M2~
PLB*1234567893*20261231*WO:ICN9*40*L6*-72.5~
SE*23*0001~
`

// run835 parses an 835 body (ST..SE, with an optional marker) inside an
// envelope; it returns the issues and the marker's offset (-1 without).
func run835(t *testing.T, body string) ([]ack.Issue, int64) {
	t.Helper()
	head := strings.Replace(fmt.Sprintf(envelopeHead, "005010X221A1"), "GS*HC*", "GS*HP*", 1)
	off := int64(-1)
	if k := strings.Index(body, marker); k >= 0 {
		off = int64(len(head) + k)
		body = body[:k] + body[k+len(marker):]
	}
	p := NewParser(Lookup("835", "005010X221A1"), nil)
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
	return p.Finish(), off
}

func TestSchema835Valid(t *testing.T) {
	if issues, _ := run835(t, base835); len(issues) > 0 {
		t.Fatalf("valid 835 has issues:%s", describe(issues))
	}
}

// want835 is one expected issue: segment, element, IK403 code and whether
// it is a warning; the first of a case is at the body's marker.
type want835 struct {
	seg     string
	elem    int
	code    string
	warning bool
}

var rules835Tests = []struct {
	name  string
	edits []string // old, new pairs applied to base835
	want  []want835
}{
	{"line paid is not charge less line adjustments",
		[]string{"SVC*HC:A0428*200*120", "SVC*HC:A0428*200*§121"},
		[]want835{{"SVC", 3, "I12", false}}},
	{"claim paid is not charge less claim and line adjustments",
		[]string{"CLP*PCN1*1*300*195", "CLP*PCN1*1*300*§196", "BPR*C*147.5", "BPR*C*148.5"},
		[]want835{{"CLP", 4, "I12", false}}},
	{"claim without lines",
		[]string{"CLP*PCN2*22*-100*-80", "CLP*PCN2*22*-100*§-81", "BPR*C*147.5", "BPR*C*146.5"},
		[]want835{{"CLP", 4, "I12", false}}},
	{"patient responsibility is not the PR adjustments (warning)",
		[]string{"CLP*PCN1*1*300*195*30", "CLP*PCN1*1*300*195*§31"},
		[]want835{{"CLP", 5, "I12", true}}},
	{"patient responsibility not checked on a reversal",
		[]string{"CLP*PCN2*22*-100*-80*-10", "CLP*PCN2*22*-100*-80*-15"},
		nil},
	{"patient responsibility absent",
		[]string{"CLP*PCN1*1*300*195*30", "CLP*PCN1*1*300*195*"},
		nil},
	{"payment is not claim payments less provider adjustments",
		[]string{"BPR*C*147.5", "BPR*C*§147.51"},
		[]want835{{"BPR", 2, "I12", false}}},
	{"provider adjustment changes the balance",
		[]string{"WO:ICN9*40", "WO:ICN9*41", "BPR*C*147.5", "BPR*C*§147.5"},
		[]want835{{"BPR", 2, "I12", false}}},
	{"debit balances with the negative net",
		[]string{"BPR*C*147.5*C", "BPR*C*112.5*D", "WO:ICN9*40", "WO:ICN9*300"},
		nil},
	{"debit that does not balance",
		[]string{"BPR*C*147.5*C", "BPR*C*§147.5*D"},
		[]want835{{"BPR", 2, "I12", false}}},
	{"notification moves no money",
		[]string{"BPR*C*147.5*C*ACH*CCP*01*071000013*DA*123456789*1391234567**01*075000019*DA*987654321", "BPR*H*§147.5*C*NON***********"},
		[]want835{{"BPR", 2, "I12", false}}},
	{"amount with more than two decimal places",
		[]string{"CAS*CO*45*50~", "CAS*CO*45*§50.001~"},
		[]want835{{"CAS", 3, "I12", false}}},
	{"amount with trailing zero decimals is still three places",
		[]string{"SVC*HC:G0008*100*75", "SVC*HC:G0008*100*§75.000"},
		[]want835{{"SVC", 3, "I12", false}}},
	{"non-numeric amount: one issue, rules skipped",
		[]string{"SVC*HC:G0008*100", "SVC*HC:G0008*§1O0"},
		[]want835{{"SVC", 2, "6", false}}},
	{"CAS group CR was removed in 5010",
		[]string{"CAS*CO*45*25", "CAS*§CR*45*25"},
		[]want835{{"CAS", 1, "I6", false}}},
	{"837 filing indicator not used in the 835",
		[]string{"*30*12*ICN1", "*30*§CI*ICN1"},
		[]want835{{"CLP", 6, "I6", false}}},
	{"payer technical contact is required",
		[]string{"PER*BL*EDI SUPPORT*TE*6085550100~\n", "", "N1*PE*", "§N1*PE*", "SE*23", "SE*22"},
		[]want835{{"PER", 0, "3", false}}},
}

func TestSchema835Rules(t *testing.T) {
	for _, tc := range rules835Tests {
		t.Run(tc.name, func(t *testing.T) {
			issues, off := run835(t, edit(t, base835, tc.edits...))
			if len(issues) != len(tc.want) {
				t.Fatalf("%d issues, want %d:%s", len(issues), len(tc.want), describe(issues))
			}
			for i, w := range tc.want {
				is := issues[i]
				if is.SegmentID != w.seg || is.Element != w.elem || (is.Severity == ack.Warning) != w.warning {
					t.Errorf("issue %d: %s, want %s%02d code %s warning %v", i, is, w.seg, w.elem, w.code, w.warning)
				}
				if w.elem > 0 && (is.Level != ack.LevelElement || is.Code != w.code || is.SegmentCode != "8") ||
					w.elem == 0 && (is.Level != ack.LevelSegment || is.Code != w.code) {
					t.Errorf("issue %d: %s, want code %s", i, is, w.code)
				}
				if i == 0 && off >= 0 && is.Offset != off {
					t.Errorf("issue at offset %d, want %d (marker)", is.Offset, off)
				}
				if is.ClaimID != "" {
					t.Errorf("ClaimID %q set on an 835 issue (999 CTX would call it CLM01)", is.ClaimID)
				}
			}
		})
	}
}

// The parser keeps no state of a set's rules into the next one.
func TestSchema835ResetBetweenSets(t *testing.T) {
	p := NewParser(Lookup("835", "005010X221A1"), nil)
	feed := func(body string) []ack.Issue {
		rd := x12.NewReader(strings.NewReader(strings.Replace(fmt.Sprintf(envelopeHead, "005010X221A1"), "GS*HC*", "GS*HP*", 1) + body + envelopeTail))
		for {
			seg, err := rd.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if seg.Position > 0 {
				p.Segment(seg)
			}
		}
		return p.Finish()
	}
	bad := edit(t, base835, "BPR*C*147.5", "BPR*C*1")
	if issues := feed(bad); len(issues) != 1 {
		t.Fatalf("unbalanced set: %d issues%s", len(issues), describe(issues))
	}
	p.Reset()
	if issues := feed(base835); len(issues) != 0 {
		t.Fatalf("balanced set after reset: %s", describe(issues))
	}
}

// ST03 may be left out of an 835 (the envelope takes GS08).
func TestSchema835WithoutST03(t *testing.T) {
	if issues, _ := run835(t, edit(t, base835, "ST*835*0001*005010X221A1~", "ST*835*0001~")); len(issues) > 0 {
		t.Fatalf("835 without ST03 has issues:%s", describe(issues))
	}
}
