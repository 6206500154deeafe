package remit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// large returns one interchange holding an 835 set of n paid claims, two
// lines each, balanced, written by Write (synthetic data).
func large(t testing.TB, n int) []byte {
	t.Helper()
	r := payment()
	tmpl := r.Groups[0].Claims[0]
	claims := make([]*Claim, n)
	for i := range claims {
		c := *tmpl
		c.PatientControlNumber = fmt.Sprintf("PCN%08d", i)
		c.PayerClaimControlNumber = fmt.Sprintf("ALL%011d", i)
		claims[i] = &c
	}
	r.Groups = []*Group{{Number: 1, Claims: claims}}
	r.ComputeTotals()
	var buf bytes.Buffer
	if err := Write(&buf, []Remittance{r}, testEnvelope()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeStream tokenizes data, places and checks every segment of its 835
// sets with the X221A1 parser (balancing rules included) and decodes the
// claims with the streaming Decoder; it returns the number of claims.
func decodeStream(data []byte, p *schema.Parser, claims *int) error {
	rd := x12.NewReader(bytes.NewReader(data))
	for {
		seg, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if seg.Position == 0 {
			continue
		}
		if seg.Is("ST") {
			p.Reset()
		}
		if err := p.Segment(seg); err != nil {
			return err
		}
		if seg.Is("SE") {
			if issues := p.Finish(); len(issues) > 0 {
				return fmt.Errorf("%d issues, first %s", len(issues), issues[0])
			}
		}
	}
}

// BenchmarkDecode835 measures decode + balance check throughput (MB/s) on
// a generated 835 of 20,000 claims (~7.5 MB): tokenize, place and check
// every segment with the X221A1 parser (balancing rules included) and
// build every claim with the streaming Decoder. Run with -cpu 1. Besides
// the wall-clock MB/s it reports cpu-MB/s, the bytes per CPU second of the
// process (GC included), which a loaded machine does not distort. "reuse"
// sets Decoder.ReuseClaims.
func BenchmarkDecode835(b *testing.B) {
	b.Run("new", func(b *testing.B) { benchDecode(b, false) })
	b.Run("reuse", func(b *testing.B) { benchDecode(b, true) })
}

func benchDecode(b *testing.B, reuse bool) {
	data := large(b, 20000)
	claims := 0
	d := NewDecoder(func(*ClaimContext) error { claims++; return nil }, nil)
	d.ReuseClaims = reuse
	p := schema.NewParser(Schema(), d)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	runtime.GC()
	b.ResetTimer()
	c0, ok := cpuTime()
	for i := 0; i < b.N; i++ {
		claims = 0
		if err := decodeStream(data, p, &claims); err != nil {
			b.Fatal(err)
		}
		if claims != 20000 {
			b.Fatalf("%d claims", claims)
		}
	}
	if c1, ok1 := cpuTime(); ok && ok1 && c1 > c0 {
		b.ReportMetric(float64(len(data))*float64(b.N)/1e6/(c1-c0).Seconds(), "cpu-MB/s")
	}
}

// The streaming decoder's memory does not grow with the number of claims:
// the heap after decoding 20,000 claims is within a small margin of the
// heap after 2,000 (the claims are dropped by the callee).
func TestDecoderMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	heap := func(n int) uint64 {
		data := large(t, n)
		var peak uint64
		claims := 0
		d := NewDecoder(func(c *ClaimContext) error {
			claims++
			if claims%2000 == 0 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc-uint64(len(data)))
			}
			return nil
		}, func(r *Remittance) error {
			if len(r.Groups) != 0 {
				t.Errorf("streaming remittance kept %d groups", len(r.Groups))
			}
			return nil
		})
		if err := decodeStream(data, schema.NewParser(Schema(), d), &claims); err != nil {
			t.Fatal(err)
		}
		if claims != n {
			t.Fatalf("%d claims, want %d", claims, n)
		}
		return peak
	}
	small, big := heap(2000), heap(20000)
	if big > small+4<<20 {
		t.Errorf("heap while decoding grew from %d to %d bytes with 10x the claims", small, big)
	}
}

// BenchmarkParse835 is BenchmarkDecode835 without the Decoder: tokenizer
// and X221A1 parser (balancing rules included) only, for comparison.
func BenchmarkParse835(b *testing.B) {
	data := large(b, 20000)
	p := schema.NewParser(Schema(), nil)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	runtime.GC()
	b.ResetTimer()
	c0, ok := cpuTime()
	for i := 0; i < b.N; i++ {
		if err := decodeStream(data, p, nil); err != nil {
			b.Fatal(err)
		}
	}
	if c1, ok1 := cpuTime(); ok && ok1 && c1 > c0 {
		b.ReportMetric(float64(len(data))*float64(b.N)/1e6/(c1-c0).Seconds(), "cpu-MB/s")
	}
}
