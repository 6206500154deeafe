package spool

import (
	"context"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// xReader yields n bytes of X12-like text without holding them: one
// generated block repeated.
type xReader struct {
	block []byte
	left  int64
	off   int
}

func (r *xReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n := 0
	for n < len(p) {
		m := copy(p[n:], r.block[r.off:])
		n += m
		r.off = (r.off + m) % len(r.block)
	}
	r.left -= int64(n)
	return n, nil
}

// peakHeap samples the heap in use until stop is called and returns the
// highest value seen.
func peakHeap() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > peak.Load() {
			peak.Store(ms.HeapInuse)
		}
	}
	wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		return peak.Load()
	}
}

// BenchmarkPostgresSpool writes 100 MB through the PostgreSQL spool and
// reads it back: MB/s of the round trip (write and read are reported
// apart) and the peak heap in use, which must not grow with the size.
func BenchmarkPostgresSpool(b *testing.B) {
	const size = 100 << 20
	sp, _ := pgSpoolB(b)
	block := content(64<<10, 11)
	ctx := context.Background()
	buf := make([]byte, 64<<10)
	var writeDur, readDur time.Duration
	runtime.GC()
	stop := peakHeap()
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		f, err := sp.Put(ctx, "inbound", &xReader{block: block, left: size})
		if err != nil {
			b.Fatal(err)
		}
		writeDur += time.Since(start)
		start = time.Now()
		r, err := sp.OpenContext(ctx, f.Path)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
		r.Close()
		if err != nil || n != size {
			b.Fatalf("read %d bytes, %v", n, err)
		}
		readDur += time.Since(start)
	}
	b.StopTimer()
	peak := stop()
	mb := float64(size) / 1e6 * float64(b.N)
	b.ReportMetric(mb/writeDur.Seconds(), "write-MB/s")
	b.ReportMetric(mb/readDur.Seconds(), "read-MB/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
