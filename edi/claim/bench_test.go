package claim_test

import (
	"io"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
)

// benchFile returns a synthetic 837P interchange with n claims.
func benchFile(b *testing.B, n int) []byte {
	b.Helper()
	data, err := io.ReadAll(&repeatReader{n: n})
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkDecode837P measures the streaming path the pipeline uses:
// tokenize, place in loops, decode claims.
func BenchmarkDecode837P(b *testing.B) {
	data := benchFile(b, 1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		d := claim.NewDecoder(claim.Professional, func(*claim.ClaimContext) error { n++; return nil })
		if _, err := feed(data, d); err != nil {
			b.Fatal(err)
		}
		if n != 1000 {
			b.Fatalf("%d claims", n)
		}
	}
}

// BenchmarkDecodeTransaction837P measures building the whole-transaction
// model (segments cloned for re-encoding).
func BenchmarkDecodeTransaction837P(b *testing.B) {
	data := benchFile(b, 1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if txs := decodeAll(b, data); len(txs) != 1 {
			b.Fatalf("%d transactions", len(txs))
		}
	}
}
