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

// marker marks, in a test body, the byte where the expected issue points:
// the first byte of the segment (segment issues) or of the element or
// component (element issues).
const marker = "§"

// envelope opens every test interchange; bodies are ST..SE.
const envelopeHead = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*T*:~\n" +
	"GS*HC*SUBMITTER*RECEIVER*20260101*1200*1*X*%s~\n"

const envelopeTail = "GE*1*1~\nIEA*1*000000001~\n"

// base837P is a valid professional set: one billing provider, a subscriber
// who is the patient, one claim with two lines (synthetic data; HCPCS
// Level II codes; Luhn-valid NPI).
const base837P = `ST*837*0001*005010X222A1~
BHT*0019*00*0123*20260101*1200*CH~
NM1*41*2*SUBMITTER CO*****46*S123~
PER*IC*JANE*TE*5555551212~
NM1*40*2*RECEIVER CO*****46*R456~
HL*1**20*1~
PRV*BI*PXC*207Q00000X~
NM1*85*2*BILLING CLINIC*****XX*1234567893~
N3*1 MAIN ST~
N4*TOWN*OH*432150000~
REF*EI*123456789~
HL*2*1*22*0~
SBR*P*18*GRP1******CI~
NM1*IL*1*DOE*JOHN****MI*M123~
DMG*D8*19800101*M~
NM1*PR*2*PAYER CO*****PI*P999~
CLM*C1*100***11:B:1*Y*A*Y*Y~
HI*ABK:R51*ABF:R519~
LX*1~
SV1*HC:A0428*60*UN*1***1:2~
DTP*472*D8*20260101~
LX*2~
SV1*HC:G0008*40*UN*1***1~
DTP*472*D8*20260101~
SE*24*0001~
`

// base837I is a valid institutional set.
const base837I = `ST*837*0001*005010X223A2~
BHT*0019*00*0123*20260101*1200*CH~
NM1*41*2*SUBMITTER CO*****46*S123~
PER*IC*JANE*TE*5555551212~
NM1*40*2*RECEIVER CO*****46*R456~
HL*1**20*1~
NM1*85*2*GENERAL HOSPITAL*****XX*1234567893~
N3*1 MAIN ST~
N4*TOWN*OH*432150000~
REF*EI*123456789~
HL*2*1*22*0~
SBR*P*18*GRP1******CI~
NM1*IL*1*DOE*JOHN****MI*M123~
DMG*D8*19800101*M~
NM1*PR*2*PAYER CO*****PI*P999~
CLM*C1*250***13:A:1**A*Y*Y~
DTP*434*RD8*20260101-20260102~
CL1*1*1*01~
HI*ABK:R51~
HI*BH:11:D8:20260101~
HI*BE:01:::12.5~
NM1*71*1*ATTENDING*ANN****XX*1234567893~
LX*1~
SV2*0450*HC:G0008*150*UN*1~
DTP*472*D8*20260101~
LX*2~
SV2*0300**100*UN*2~
SE*27*0001~
`

// edit replaces the first occurrence of old in body with new, failing the
// test when old is absent.
func edit(t *testing.T, body string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(body, pairs[i]) {
			t.Fatalf("test body has no %q", pairs[i])
		}
		body = strings.Replace(body, pairs[i], pairs[i+1], 1)
	}
	return body
}

// run parses body (ST..SE, with an optional marker) inside an envelope of
// the body's version. It returns the issues, the events, and the marker's
// byte offset and segment position in the set (-1 without a marker).
func run(t *testing.T, body string) (issues []ack.Issue, events []Event, off int64, pos int) {
	t.Helper()
	version := "005010X222A1"
	if strings.Contains(body, "005010X223A2") {
		version = "005010X223A2"
	}
	head := fmt.Sprintf(envelopeHead, version)
	off, pos = -1, -1
	if k := strings.Index(body, marker); k >= 0 {
		off = int64(len(head) + k)
		pos = strings.Count(body[:k], "~") + 1
		body = body[:k] + body[k+len(marker):]
	}
	s := Lookup("837", version)
	if s == nil {
		t.Fatalf("no schema for %s", version)
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

// describe lists issues for failure messages.
func describe(issues []ack.Issue) string {
	var b strings.Builder
	for _, is := range issues {
		fmt.Fprintf(&b, "\n\t%s (loop %q elem %d-%d de %s value %q offset %d)", is, is.Loop, is.Element,
			is.Component, is.DataElement, is.Value, is.Offset)
	}
	return b.String()
}
