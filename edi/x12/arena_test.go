package x12_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// TestArenaClone clones every segment of a stream (small ones, and ones
// larger than an arena block) into one arena: each clone equals Clone of
// the same segment, outlives the reader's buffer, and growing one clone's
// bytes never changes its neighbour.
func TestArenaClone(t *testing.T) {
	var in strings.Builder
	in.WriteString(std + "GS*HC*A*B*20260101*1200*1*X*005010X222A1~\n")
	in.WriteString("ST*837*0001*005010X222A1~\n")
	for i := range 300 {
		if i%50 == 7 {
			in.WriteString("NTE*ADD*" + strings.Repeat("LONG TEXT ", 400) + "~\n") // > a quarter block
			continue
		}
		if i%60 == 9 {
			in.WriteString("REF*" + strings.Repeat("X*", 200) + "Y~\n") // many elements
			continue
		}
		in.WriteString("  NM1*IL*1*DOE*JANE****MI*M" + strings.Repeat("0", i%7) + "~\n")
	}
	in.WriteString("SE*302*0001~GE*1*1~IEA*1*000000001~")
	rd := x12.NewReader(strings.NewReader(in.String()))
	var a x12.Arena
	var got, want []*x12.Segment
	for {
		seg, err := rd.Read()
		if err != nil {
			break
		}
		got = append(got, a.Clone(seg))
		want = append(want, seg.Clone())
	}
	if len(got) < 300 {
		t.Fatalf("read %d segments", len(got))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Raw(), w.Raw()) || !bytes.Equal(g.Leading(), w.Leading()) || g.Len() != w.Len() ||
			g.Offset != w.Offset || g.Position != w.Position || g.Ordinal != w.Ordinal || g.Delims != w.Delims {
			t.Fatalf("segment %d: arena clone %q (lead %q, %d elements), Clone %q (lead %q, %d elements)",
				i, g.Raw(), g.Leading(), g.Len(), w.Raw(), w.Leading(), w.Len())
		}
		for e := 0; e <= g.Len(); e++ {
			if !bytes.Equal(g.Element(e), w.Element(e)) {
				t.Fatalf("segment %d element %d: %q, want %q", i, e, g.Element(e), w.Element(e))
			}
		}
	}
	// Appending to a clone's bytes reallocates: the next clone is intact.
	before := string(got[5].Raw())
	raw := got[4].Raw()
	if cap(raw) != len(raw) {
		t.Fatalf("clone bytes have room to grow into a neighbour: len %d cap %d", len(raw), cap(raw))
	}
	_ = append(raw, "XXXXXXXX"...)
	if string(got[5].Raw()) != before {
		t.Fatalf("neighbour changed: %q", got[5].Raw())
	}
}

var sink *x12.Segment

func BenchmarkArenaClone(b *testing.B) {
	rd := x12.NewReader(strings.NewReader(std + "NM1*IL*1*DOE*JANE****MI*M0001~"))
	if _, err := rd.Read(); err != nil {
		b.Fatal(err)
	}
	seg, err := rd.Read()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Clone", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = seg.Clone()
		}
	})
	b.Run("Arena", func(b *testing.B) {
		b.ReportAllocs()
		var a x12.Arena
		for b.Loop() {
			sink = a.Clone(seg)
		}
	})
}
