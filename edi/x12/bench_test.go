package x12_test

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// benchInput returns an 837P-shaped interchange with n claims (synthetic
// values only).
func benchInput(n int) []byte {
	var b bytes.Buffer
	b.WriteString(std)
	b.WriteString("GS*HC*SUBMITTER*RECEIVER*20260101*1200*1*X*005010X222A1~")
	for st := 0; st*100 < n; st++ {
		start := b.Len()
		_ = start
		segs := 0
		w := func(s string) { b.WriteString(s); b.WriteByte('~'); segs++ }
		ctl := strconv.Itoa(st + 1)
		w("ST*837*" + ctl + "*005010X222A1")
		w("BHT*0019*00*BATCH" + ctl + "*20260101*1200*CH")
		w("NM1*41*2*SYNTHETIC SUBMITTER*****46*SUB001")
		w("PER*IC*HELP DESK*TE*5555550100")
		w("NM1*40*2*CLEARINGHOUSE*****46*CH001")
		w("HL*1**20*1")
		w("NM1*85*2*SYNTHETIC CLINIC*****XX*1234567893")
		w("N3*100 MAIN ST")
		w("N4*MADISON*WI*537030000")
		w("REF*EI*123456789")
		hl := 1
		for c := 0; c < 100 && st*100+c < n; c++ {
			hl++
			w("HL*" + strconv.Itoa(hl) + "*1*22*0")
			w("SBR*P*18*GRP01******CI")
			w("NM1*IL*1*DOE*JANE****MI*SYN" + strconv.Itoa(100000+c))
			w("N3*1 ELM ST")
			w("N4*MADISON*WI*53703")
			w("DMG*D8*19800101*F")
			w("NM1*PR*2*SYNTHETIC PAYER*****PI*88461")
			w("CLM*PCN" + strconv.Itoa(c) + "*150***11:B:1*Y*A*Y*Y")
			w("HI*ABK:R69")
			for l := 1; l <= 2; l++ {
				w("LX*" + strconv.Itoa(l))
				w("SV1*HC:A0428*75*UN*1***1")
				w("DTP*472*D8*20260105")
			}
		}
		w("SE*" + strconv.Itoa(segs+1) + "*" + ctl)
	}
	b.WriteString("GE*1*1~IEA*1*000000001~")
	return b.Bytes()
}

func BenchmarkReader(b *testing.B) {
	data := benchInput(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := x12.NewReader(bytes.NewReader(data))
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkWriterRaw(b *testing.B) {
	data := benchInput(10000)
	var segs []*x12.Segment
	r := x12.NewReader(bytes.NewReader(data))
	for {
		s, err := r.Read()
		if err != nil {
			break
		}
		segs = append(segs, s.Clone())
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		w := x12.NewWriter(io.Discard, x12.DefaultDelimiters)
		for _, s := range segs {
			w.WriteSegment(s)
		}
		w.Flush()
	}
}
