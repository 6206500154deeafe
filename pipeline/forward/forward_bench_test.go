package forward_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/synth"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
)

// BenchmarkRunOnce measures one forwarding run over the claims of several
// processed inbound files (synthetic 837Ps on a fresh SQLite store,
// forward.DefaultRoutes, testdata/schedules pricing) and reports the peak
// heap in use during the run (sampled), the measure of issue #11: the
// forwarder should hold one inbound file's claims, not all of them.
// Processing the files is setup and not timed; each iteration forwards a
// freshly processed store. Run with -benchtime 1x.
func BenchmarkRunOnce(b *testing.B) {
	sizes := []struct{ files, claims int }{{10, 2_000}}
	if os.Getenv("BENCH_LARGE") == "1" {
		sizes = append(sizes, struct{ files, claims int }{20, 10_000})
	}
	for _, sz := range sizes {
		b.Run(fmt.Sprintf("%dx%dk", sz.files, sz.claims/1000), func(b *testing.B) {
			pricer := loadEngine(b)
			var peak uint64
			forwarded := 0
			for b.Loop() {
				b.StopTimer()
				st, sp := benchStore(b, sz.files, sz.claims)
				table, err := forward.NewTable(forward.DefaultRoutes())
				if err != nil {
					b.Fatal(err)
				}
				f, err := forward.New(st, sp, table, pricer, forward.Config{Owner: "bench", Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				stop := sampleHeap(&peak)
				b.StartTimer()
				res, err := f.RunOnce(context.Background())
				b.StopTimer()
				stop()
				if err != nil {
					b.Fatal(err)
				}
				forwarded = res.Forwarded
				b.StartTimer()
			}
			if forwarded == 0 {
				b.Fatal("nothing forwarded")
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(forwarded), "claims")
		})
	}
}

// sampleHeap records the largest HeapInuse seen into peak until stop is
// called.
func sampleHeap(peak *uint64) (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		for !done.Load() {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > *peak {
				*peak = ms.HeapInuse
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	return func() { done.Store(true); wg.Wait() }
}

// benchStore processes files synthetic 837Ps of claims claims each into a
// fresh SQLite store.
func benchStore(b *testing.B, files, claims int) (*store.Store, *spool.Spool) {
	b.Helper()
	ctx := context.Background()
	st := dbtest.OpenSQLite(b)
	sp, err := spool.New(filepath.Join(b.TempDir(), "spool"))
	if err != nil {
		b.Fatal(err)
	}
	proc := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Identity: pipeline.Identity{ID: "CLEARINGHOUSE"},
		Logger: slog.New(slog.DiscardHandler)})
	for i := range files {
		var buf bytes.Buffer
		if _, err := synth.Write(ctx, &buf, synth.Config{Kind: synth.Professional, Claims: claims, Seed: int64(1000 + i),
			ControlNumber: 5000 + i}); err != nil {
			b.Fatal(err)
		}
		sf, err := sp.PutBytes(ctx, "inbound", buf.Bytes())
		if err != nil {
			b.Fatal(err)
		}
		rec, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: fmt.Sprintf("bench-%d.x12", i),
			SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path, ReceivedAt: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		res, err := proc.Process(ctx, rec)
		if err != nil || res.State != store.InboundProcessed {
			b.Fatalf("process bench file %d: %+v, %v", i, res, err)
		}
	}
	return st, sp
}
