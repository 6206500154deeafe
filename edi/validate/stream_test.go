package validate_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/validate"
)

// setStream generates, on the fly, one interchange with one functional
// group of valid 837P sets (claimsPerSet claims each, synthetic data) until
// at least size bytes were produced. Nothing is held but the current set.
type setStream struct {
	size         int64
	claimsPerSet int

	produced int64
	sets     int
	buf      []byte
	off      int
	done     bool
}

const (
	streamISA = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*CLEARINGHOUSE  *260115*0930*^*00501*000000301*0*T*:~\n" +
		"GS*HC*SUBMITGS*CHGS*20260115*0930*1*X*005010X222A1~\n"
	streamClaim = "HL*%d*1*22*0~\nSBR*P*18*******CI~\nNM1*IL*1*DOE*JANE****MI*SYN%06d~\nN3*1 ELM ST~\nN4*MADISON*WI*537040000~\n" +
		"DMG*D8*19800101*F~\nNM1*PR*2*SYNTHETIC PAYER*****PI*88461~\nCLM*PCN%08d*100.00***11:B:1*Y*A*Y*Y~\nHI*ABK:R69~\n" +
		"LX*1~\nSV1*HC:A0428*100.00*UN*1***1~\nDTP*472*D8*20260110~\n"
)

func (s *setStream) next() {
	s.buf = s.buf[:0]
	s.off = 0
	if s.produced == 0 {
		s.buf = append(s.buf, streamISA...)
	}
	if s.produced >= s.size {
		s.buf = fmt.Appendf(s.buf, "GE*%d*1~\nIEA*1*000000301~\n", s.sets)
		s.done = true
		return
	}
	s.sets++
	ctl := fmt.Sprintf("%04d", s.sets)
	s.buf = fmt.Appendf(s.buf, "ST*837*%s*005010X222A1~\nBHT*0019*00*%s*20260115*0930*CH~\n", ctl, ctl)
	s.buf = append(s.buf, "NM1*41*2*SYNTHETIC BILLING*****46*ETIN01~\nPER*IC*BILLING DESK*TE*5555550100~\n"+
		"NM1*40*2*CLEARINGHOUSE*****46*CH01~\nHL*1**20*1~\nNM1*85*2*SYNTHETIC CLINIC*****XX*1234567893~\n"+
		"N3*100 MAIN ST~\nN4*MADISON*WI*537030000~\nREF*EI*123456789~\n"...)
	for c := 0; c < s.claimsPerSet; c++ {
		s.buf = fmt.Appendf(s.buf, streamClaim, c+2, c, s.sets*s.claimsPerSet+c)
	}
	s.buf = append(s.buf, "SE*"+strconv.Itoa(11+12*s.claimsPerSet)+"*"+ctl+"~\n"...)
}

func (s *setStream) Read(p []byte) (int, error) {
	if s.off == len(s.buf) {
		if s.done {
			return 0, io.EOF
		}
		s.next()
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	s.produced += int64(n)
	return n, nil
}

// Validating a 200 MB stream keeps the heap small: memory depends on the
// number of sets (a summary each), not on the input size.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB stream")
	}
	const size = 200 << 20
	const bound = 50 << 20
	src := &setStream{size: size, claimsPerSet: 50}
	var maxHeap uint64
	var ms runtime.MemStats
	sample := func() {
		runtime.ReadMemStats(&ms)
		maxHeap = max(maxHeap, ms.HeapInuse)
	}
	sets := 0
	res, err := validate.Run(context.Background(), src, validate.Options{
		OnSetEnd: func(r validate.SetResult) {
			if r.Ack != ack.Accepted {
				t.Fatalf("set %s: %s %v", r.Control, r.Ack, r.Issues)
			}
			if sets++; sets%200 == 0 {
				sample()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	sample()
	if res.Bytes < size || res.Status() != 0 || res.SetCount() != src.sets || src.sets < 1000 {
		t.Fatalf("validated %d bytes, %d sets (%d generated), status %d", res.Bytes, res.SetCount(), src.sets, res.Status())
	}
	t.Logf("%d MB, %d sets, max heap in use %.1f MB", res.Bytes>>20, src.sets, float64(maxHeap)/(1<<20))
	if maxHeap > bound {
		t.Errorf("heap in use reached %.1f MB, bound %d MB", float64(maxHeap)/(1<<20), bound>>20)
	}
}

func benchmarkValidate(b *testing.B, opts validate.Options) {
	src := &setStream{size: 8 << 20, claimsPerSet: 50}
	data, err := io.ReadAll(src)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := validate.Run(context.Background(), &byteReader{b: data}, opts)
		if err != nil || res.Status() != 0 {
			b.Fatalf("status %d err %v", res.Status(), err)
		}
	}
}

// byteReader is a minimal io.Reader over b (bytes.Reader would do, but this
// keeps the benchmark free of WriterTo shortcuts).
type byteReader struct {
	b   []byte
	off int
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.off == len(r.b) {
		return 0, io.EOF
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}

// BenchmarkValidateEnvelope measures the tokenizer and envelope machine
// alone (no implementation-guide body validation).
func BenchmarkValidateEnvelope(b *testing.B) { benchmarkValidate(b, validate.Options{Body: noBody}) }

// BenchmarkValidate adds the 837P schema parser.
func BenchmarkValidate(b *testing.B) { benchmarkValidate(b, validate.Options{}) }
