package validate_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/synth"
	"github.com/clearinghouse/clearinghouse/edi/validate"
)

// decodeBenchClaims is the number of claims in the benchmark file.
const decodeBenchClaims = 10000

// BenchmarkDecodeValidate837P measures the whole claims front end on one
// synthetic 837P file: tokenizer, envelope validation, implementation-guide
// parser and the streaming typed claim decoder.
func BenchmarkDecodeValidate837P(b *testing.B) { benchmarkDecodeValidate(b, synth.Professional) }

// BenchmarkDecodeValidate837I is BenchmarkDecodeValidate837P for an 837I.
func BenchmarkDecodeValidate837I(b *testing.B) { benchmarkDecodeValidate(b, synth.Institutional) }

func benchmarkDecodeValidate(b *testing.B, kind synth.Kind) {
	ctx := context.Background()
	var buf bytes.Buffer
	if _, err := synth.Write(ctx, &buf, synth.Config{Kind: kind, Claims: decodeBenchClaims, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	n := 0
	opts := validate.Options{
		Supported: envelope.Claims,
		Handler: func(si validate.SetInfo) schema.Handler {
			return claim.NewDecoder(claim.KindOf(si.Version), func(*claim.ClaimContext) error { n++; return nil })
		},
	}
	// One checked run: every claim is decoded and the file is accepted.
	res, err := validate.Run(ctx, bytes.NewReader(data), opts)
	if err != nil {
		b.Fatal(err)
	}
	if n != decodeBenchClaims {
		b.Fatalf("decoded %d claims, want %d", n, decodeBenchClaims)
	}
	if !res.Accepted() {
		b.Fatalf("synthetic %s file not accepted", kind)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := validate.Run(ctx, bytes.NewReader(data), opts); err != nil {
			b.Fatal(err)
		}
	}
}
