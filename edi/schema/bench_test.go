package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// synthetic837P builds a valid professional interchange with n claims,
// each under its own subscriber, three lines per claim.
func synthetic837P(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, envelopeHead, "005010X222A1")
	b.WriteString("ST*837*0001*005010X222A1~\nBHT*0019*00*0123*20260101*1200*CH~\n" +
		"NM1*41*2*SUBMITTER CO*****46*S123~\nPER*IC*JANE*TE*5555551212~\nNM1*40*2*RECEIVER CO*****46*R456~\n" +
		"HL*1**20*1~\nPRV*BI*PXC*207Q00000X~\nNM1*85*2*BILLING CLINIC*****XX*1234567893~\n" +
		"N3*1 MAIN ST~\nN4*TOWN*OH*432150000~\nREF*EI*123456789~\n")
	segs := 11
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "HL*%d*1*22*0~\nSBR*P*18*GRP1******CI~\nNM1*IL*1*DOE*JOHN****MI*M%06d~\n"+
			"N3*2 ELM ST~\nN4*TOWN*OH*432150000~\nDMG*D8*19800101*M~\nNM1*PR*2*PAYER CO*****PI*P999~\n"+
			"CLM*C%06d*125.5***11:B:1*Y*A*Y*Y~\nREF*D9*TRACE%06d~\nHI*ABK:R51*ABF:R519*ABF:Z0000~\n"+
			"NM1*82*1*RENDER*RITA****XX*1234567893~\nPRV*PE*PXC*207Q00000X~\n"+
			"LX*1~\nSV1*HC:A0428*60*UN*1***1:2~\nDTP*472*D8*20260101~\nREF*6R*L1~\n"+
			"LX*2~\nSV1*HC:G0008:25*40.5*UN*1***1~\nDTP*472*D8*20260101~\nREF*6R*L2~\n"+
			"LX*3~\nSV1*HC:J1100*25*UN*2***3~\nDTP*472*RD8*20260101-20260102~\nREF*6R*L3~\n",
			i+2, i, i, i)
		segs += 24
	}
	fmt.Fprintf(&b, "SE*%d*0001~\n", segs+1)
	b.WriteString(envelopeTail)
	return []byte(b.String())
}

// parseAll runs every set segment of data through p.
func parseAll(tb testing.TB, data []byte, p *Parser) int {
	rd := x12.NewReader(bytes.NewReader(data))
	n := 0
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		if seg.Position == 0 {
			continue
		}
		n++
		if err := p.Segment(seg); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestSyntheticIsValid(t *testing.T) {
	p := NewParser(Lookup("837", "005010X222A1"), nil)
	n := parseAll(t, synthetic837P(20), p)
	if issues := p.Finish(); len(issues) != 0 {
		t.Fatalf("synthetic 837P has issues:%s", describe(issues))
	}
	if n != 11+20*24+1 {
		t.Fatalf("%d segments", n)
	}
}

// TestParserDoesNotAllocate checks the parser itself allocates nothing
// per valid segment (the segments are read beforehand).
func TestParserDoesNotAllocate(t *testing.T) {
	rd := x12.NewReader(bytes.NewReader(synthetic837P(50)))
	var segs []*x12.Segment
	for {
		seg, err := rd.Read()
		if err != nil {
			break
		}
		if seg.Position > 0 {
			segs = append(segs, seg.Clone())
		}
	}
	var events int
	p := NewParser(Lookup("837", "005010X222A1"), HandlerFunc(func(Event) error { events++; return nil }))
	allocs := testing.AllocsPerRun(20, func() {
		p.Reset()
		for _, s := range segs {
			_ = p.Segment(s)
		}
		if issues := p.Finish(); len(issues) != 0 {
			t.Fatalf("issues:%s", describe(issues))
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per set of %d segments, want 0", allocs, len(segs))
	}
	if events == 0 {
		t.Fatal("no events")
	}
}

func BenchmarkParse837P(b *testing.B) {
	data := synthetic837P(2000)
	p := NewParser(Lookup("837", "005010X222A1"), HandlerFunc(func(Event) error { return nil }))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p.Reset()
		parseAll(b, data, p)
		if issues := p.Finish(); len(issues) != 0 {
			b.Fatalf("issues:%s", describe(issues))
		}
	}
}
