package csvsub

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"
)

// rowSource streams n claim rows (two per claim) without keeping them.
func rowSource(n int) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < n; i++ {
			c := i / 2
			if _, err := fmt.Fprintf(pw, "K%08d,1,,1853335648,113597196,GROUP,1 MAIN ST,TOWN,WI,538567351,2712,PAYER,SYN%08d,LAST,FIRST,1980-01-02,F,,,,,,Z23,11,2026-01-05,G0008,,10.00,1,\n", c, c); err != nil {
				return
			}
		}
		pw.Close()
	}()
	return pr
}

// peakHeap converts n streamed rows and returns the largest live heap
// seen (sampled every 4096 rows, after a GC).
func peakHeap(t *testing.T, n int) uint64 {
	var peak uint64
	opts := testOptions()
	opts.Progress = func(int64) {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapAlloc)
	}
	res, err := ConvertClaims(context.Background(), rowSource(n), io.Discard, opts)
	if err != nil || res.Accepted != n {
		t.Fatalf("%+v %v", res, err)
	}
	return peak
}

// TestMemoryFlat: converting ten times the rows does not take more memory.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	small := peakHeap(t, 20_000)
	large := peakHeap(t, 200_000)
	if large > small+4<<20 {
		t.Fatalf("peak heap %d KiB for 200k rows, %d KiB for 20k", large>>10, small>>10)
	}
}
