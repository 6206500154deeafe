package bench

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/edi/x12"
)

// Every benchmark reports MB/s over the input file (b.SetBytes) and its
// allocations. Inputs up to 64 MiB are read from memory, larger ones (the
// 1 M-claim files of BENCH_LARGE=1) streamed from the cache file.
//
// The machine the suite runs on is often shared, so the loops also report
// MB/cpu-s: the bytes processed per second of CPU time the whole process
// used (GC included), which is close to what one dedicated core does with
// -cpu 1 even when other processes steal wall-clock time.

// meter wraps b.Loop and reports MB/cpu-s when the loop ends.
type meter struct {
	b       *testing.B
	bytes   int64
	start   time.Duration
	started bool
	ok      bool
}

// newMeter returns a meter for b, which processes bytes per iteration.
func newMeter(b *testing.B, bytes int64) *meter { return &meter{b: b, bytes: bytes} }

// Loop is b.Loop.
func (m *meter) Loop() bool {
	if !m.started {
		m.started = true
		m.start, m.ok = processCPU()
	}
	if m.b.Loop() {
		return true
	}
	if end, ok := processCPU(); ok && m.ok && end > m.start {
		m.b.ReportMetric(float64(m.bytes)*float64(m.b.N)/(end-m.start).Seconds()/1e6, "MB/cpu-s")
	}
	return false
}

// run times stage over every input as a sub-benchmark named after it.
func run(b *testing.B, stage func(b *testing.B, in *input)) {
	for _, in := range benchInputs(b) {
		b.Run(in.Name, func(b *testing.B) {
			b.SetBytes(in.Size)
			b.ReportAllocs()
			stage(b, in)
		})
	}
}

// opened returns a reader over in, failing b on error.
func opened(b *testing.B, in *input) io.ReadCloser {
	rc, err := in.open()
	if err != nil {
		b.Fatal(err)
	}
	return rc
}

// BenchmarkTokenize times the x12 tokenizer alone.
func BenchmarkTokenize(b *testing.B) {
	run(b, func(b *testing.B, in *input) {
		want := -1
		for m := newMeter(b, in.Size); m.Loop(); {
			rc := opened(b, in)
			n, err := tokenize(rc)
			rc.Close()
			if err != nil {
				b.Fatal(err)
			}
			if want >= 0 && n != want {
				b.Fatalf("%d segments, then %d", want, n)
			}
			want = n
		}
	})
}

// BenchmarkDecode times tokenizer + implementation-guide parser +
// streaming claim decoder, without the envelope layer.
func BenchmarkDecode(b *testing.B) {
	run(b, func(b *testing.B, in *input) {
		for m := newMeter(b, in.Size); m.Loop(); {
			rc := opened(b, in)
			st, err := decodeStream(rc)
			rc.Close()
			if err != nil {
				b.Fatal(err)
			}
			if st.Claims != in.Claims || st.Issues != 0 {
				b.Fatalf("%d claims (want %d), %d issues", st.Claims, in.Claims, st.Issues)
			}
		}
	})
}

// BenchmarkDecodeValidate times the full front end: validate.Run
// (tokenizer, envelopes, implementation guide) feeding the streaming claim
// decoder.
func BenchmarkDecodeValidate(b *testing.B) {
	ctx := context.Background()
	run(b, func(b *testing.B, in *input) {
		for m := newMeter(b, in.Size); m.Loop(); {
			rc := opened(b, in)
			n, res, err := decodeValidate(ctx, rc)
			rc.Close()
			if err != nil {
				b.Fatal(err)
			}
			if n != in.Claims || res.Status() != 0 {
				b.Fatalf("%d claims (want %d), status %d: %s", n, in.Claims, res.Status(), firstFinding(res))
			}
		}
	})
}

// encodeBatch is how many transaction sets (of 100 claims) a large input
// is decoded into memory at a time for BenchmarkEncode.
const encodeBatch = 500

// BenchmarkEncode times Transaction.Encode of whole decoded transactions
// to io.Discard; decoding is not timed. The bytes are those of the
// transaction sets (ST..SE), checked against the input once.
func BenchmarkEncode(b *testing.B) {
	run(b, func(b *testing.B, in *input) {
		rc := opened(b, in)
		d, err := delimitersOf(rc)
		rc.Close()
		if err != nil {
			b.Fatal(err)
		}
		rc = opened(b, in)
		size, err := setBytes(rc)
		rc.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(size)
		if in.data != nil {
			encodeInMemory(b, in, d, size)
		} else {
			encodeBatches(b, in, d, size)
		}
	})
}

// encodeInMemory decodes in once and times encoding all of it.
func encodeInMemory(b *testing.B, in *input, d x12.Delimiters, size int64) {
	txs, issues, err := decodeTransactions(bytes.NewReader(in.data))
	if err != nil || issues != 0 {
		b.Fatalf("decode: %v (%d issues)", err, issues)
	}
	var cw countWriter
	if err := encodeAll(x12.NewWriter(&cw, d), txs); err != nil {
		b.Fatal(err)
	}
	if cw.n != size {
		b.Fatalf("encoded %d bytes, the input's sets hold %d", cw.n, size)
	}
	for m := newMeter(b, size); m.Loop(); {
		if err := encodeAll(x12.NewWriter(io.Discard, d), txs); err != nil {
			b.Fatal(err)
		}
	}
}

// encodeBatches streams in, decoding encodeBatch sets at a time with the
// timer stopped and timing their encoding, so memory stays bounded.
func encodeBatches(b *testing.B, in *input, d x12.Delimiters, size int64) {
	for b.Loop() {
		b.StopTimer()
		var (
			cw    countWriter
			w     = x12.NewWriter(&cw, d)
			batch []*claim.Transaction
		)
		flush := func() error {
			b.StartTimer()
			err := encodeAll(w, batch)
			b.StopTimer()
			batch = batch[:0]
			return err
		}
		rc := opened(b, in)
		err := claim.ReadTransactions(rc, func(tx *claim.Transaction, is []ack.Issue) error {
			if len(is) != 0 {
				b.Fatalf("set %s: %d issues", tx.ControlNumber, len(is))
			}
			if batch = append(batch, tx); len(batch) == encodeBatch {
				return flush()
			}
			return nil
		})
		rc.Close()
		if err == nil {
			err = flush()
		}
		if err != nil {
			b.Fatal(err)
		}
		if cw.n != size {
			b.Fatalf("encoded %d bytes, the input's sets hold %d", cw.n, size)
		}
		b.StartTimer()
	}
}

// countWriter counts the bytes written to it and discards them.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// BenchmarkMoov compares the full front end with moov-io/x12 v0.1.0
// (Parse + Validate) on the same bytes: a 10 000-claim 837P with 100
// claims per set, made parseable for moov by moovCompatible. The ratio of
// the two MB/s figures is printed by cmd/benchsummary.
func BenchmarkMoov(b *testing.B) {
	data := moovInput(b, 10_000)
	b.Run("ours/837P-10k", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for m := newMeter(b, int64(len(data))); m.Loop(); {
			n, res, err := decodeValidate(context.Background(), bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			if n != 10_000 || res.Status() != 0 {
				b.Fatalf("%d claims, status %d: %s", n, res.Status(), firstFinding(res))
			}
		}
	})
	b.Run("moov/837P-10k", func(b *testing.B) {
		s := string(data)
		b.SetBytes(int64(len(s)))
		b.ReportAllocs()
		for m := newMeter(b, int64(len(s))); m.Loop(); {
			if _, err := moovParse(s, ":"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
