package synth

import (
	"context"
	"runtime"
	"testing"
)

// heapSampler discards output and records the peak HeapInuse seen every
// 16 flushes (each flush is ~240 KiB of output).
type heapSampler struct {
	writes int
	peak   uint64
}

func (h *heapSampler) Write(p []byte) (int, error) {
	h.writes++
	if h.writes%16 == 0 {
		h.sample()
	}
	return len(p), nil
}

func (h *heapSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.peak = max(h.peak, ms.HeapInuse)
}

type memRun struct {
	peakHeap uint64
	mallocs  uint64
	bytes    int64
}

func measure(t *testing.T, claims int) memRun {
	t.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	h := &heapSampler{}
	st, err := Write(context.Background(), h, Config{Kind: Professional, Claims: claims, Seed: 9, Freq7: 0.05, Freq8: 0.05, Dup: 0.05, Invalid: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	h.sample()
	runtime.ReadMemStats(&after)
	return memRun{peakHeap: h.peak, mallocs: after.Mallocs - before.Mallocs, bytes: st.Bytes}
}

// TestMemoryDoesNotScale generates 20 k and 200 k claims and checks that
// neither the peak heap in use nor the number of allocations grows with the
// claim count.
func TestMemoryDoesNotScale(t *testing.T) {
	if testing.Short() {
		t.Skip("generates ~200 MB of output")
	}
	small := measure(t, 20_000)
	large := measure(t, 200_000)
	t.Logf("20k: %+v; 200k: %+v", small, large)
	if large.bytes < 9*small.bytes {
		t.Fatalf("200k output %d bytes is not ~10x the 20k output %d", large.bytes, small.bytes)
	}
	const slack = 4 << 20
	if large.peakHeap > small.peakHeap+slack {
		t.Errorf("peak HeapInuse %d for 200k claims vs %d for 20k: memory grows with claims", large.peakHeap, small.peakHeap)
	}
	if large.mallocs > 2*small.mallocs+1000 {
		t.Errorf("%d allocations for 200k claims vs %d for 20k: per-claim allocation", large.mallocs, small.mallocs)
	}
}
