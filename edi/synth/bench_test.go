package synth

import (
	"context"
	"io"
	"testing"
)

func benchmarkWrite(b *testing.B, kind Kind) {
	cfg := Config{Kind: kind, Claims: 1000, Seed: 1, Freq7: 0.02, Freq8: 0.01, Dup: 0.02, Invalid: 0.01}
	st, err := Write(context.Background(), io.Discard, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Bytes)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(context.Background(), io.Discard, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrite837P measures 1000-claim 837P interchanges per op.
func BenchmarkWrite837P(b *testing.B) { benchmarkWrite(b, Professional) }

// BenchmarkWrite837I measures 1000-claim 837I interchanges per op.
func BenchmarkWrite837I(b *testing.B) { benchmarkWrite(b, Institutional) }
