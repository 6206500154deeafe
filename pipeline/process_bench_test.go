package pipeline_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/synth"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
	"github.com/clearinghouse/clearinghouse/repricing"
	"github.com/clearinghouse/clearinghouse/repricing/storesource"
	"github.com/clearinghouse/clearinghouse/roster"
	"github.com/clearinghouse/clearinghouse/transport/dir"
)

// benchProcessSeed seeds the generated files, so that runs compare like
// with like.
const benchProcessSeed = 42

// BenchmarkProcess measures what `clearinghouse process FILE` does with a
// generated 837P on a fresh SQLite store: spool the file, record it as
// received, process it (validation, TA1/999, claim rules, roster
// eligibility, routing, 277CAs), reprice and forward the accepted claims
// (forward.DefaultRoutes, testdata/schedules) and deliver every outbound
// file to a local folder: 10 000 and 100 000 claims, and 1 000 000 more
// with BENCH_LARGE=1. BENCH_SQLITE_PARAMS adds SQLite driver parameters to the
// store URL (e.g. "_pragma=temp_store(memory)") to measure a setting.
// Opening and migrating the store and importing the roster
// of the generated members are setup and not timed.
func BenchmarkProcess(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("BENCH_LARGE") == "1" {
		sizes = append(sizes, 1_000_000)
	}
	pricer := loadSchedules(b, filepath.Join("..", "testdata", "schedules"))
	for _, n := range sizes {
		// Replacements, voids and exact duplicates exercise every intake
		// rule; no invalid claims (one rejects its whole set).
		cfg := synth.Config{Kind: synth.Professional, Claims: n, Seed: benchProcessSeed, Freq7: 0.02, Freq8: 0.01, Dup: 0.02,
			// REF*F8 names our control number of the original, as a
			// submitter's replacement would after our 277CA.
			F8Prefix: "CH"}
		b.Run(fmt.Sprintf("837P-%dk", n/1000), func(b *testing.B) { benchmarkProcess(b, cfg, pricer) })
	}
}

func benchmarkProcess(b *testing.B, cfg synth.Config, pricer forward.Pricer) {
	ctx := context.Background()
	root := b.TempDir()
	input := filepath.Join(root, "input.x12")
	stats := writeFile(b, input, func(w *bufio.Writer) (synth.Stats, error) { return synth.Write(ctx, w, cfg) })
	var rosterCSV bytes.Buffer
	if err := synth.WriteRosterCSV(ctx, &rosterCSV, cfg); err != nil {
		b.Fatal(err)
	}
	routes, err := forward.NewTable(forward.DefaultRoutes())
	if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	params := ""
	if p := os.Getenv("BENCH_SQLITE_PARAMS"); p != "" {
		params = "?" + p
	}
	identity := pipeline.Identity{Qualifier: "ZZ", ID: "CLEARINGHOUSE", Name: "CLEARINGHOUSE"}

	b.SetBytes(stats.Bytes)
	b.ReportAllocs()
	var claims, accepted, forwarded int
	var cpu time.Duration // process CPU time (user + system) of the timed part
	var allocs uint64     // heap allocations of the timed part
	iter := 0
	for b.Loop() {
		b.StopTimer()
		iter++
		work := filepath.Join(root, fmt.Sprintf("run%d", iter))
		if err := os.MkdirAll(work, 0o750); err != nil {
			b.Fatal(err)
		}
		st, err := store.Open(ctx, "sqlite:"+filepath.Join(work, "clearinghouse.db")+params)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := roster.ImportCSV(ctx, st, bytes.NewReader(rosterCSV.Bytes()), roster.Opts{Source: "synth"}); err != nil {
			b.Fatal(err)
		}
		sp, err := spool.New(filepath.Join(work, "spool"))
		if err != nil {
			b.Fatal(err)
		}
		checker, err := roster.NewChecker(st, roster.CheckerConfig{})
		if err != nil {
			b.Fatal(err)
		}
		proc := pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{Identity: identity, Usage: "P", Logger: logger,
			Eligibility: checker, Routes: routes})
		fw, err := forward.New(st, sp, routes, pricer, forward.Config{Owner: "bench",
			Identity: forward.Identity{Qualifier: identity.Qualifier, ID: identity.ID, Name: identity.Name}, Usage: "P", Logger: logger})
		if err != nil {
			b.Fatal(err)
		}
		eng, err := pipeline.New(st, sp, proc, nil, pipeline.Config{Owner: "bench", Forwarder: fw, Logger: logger})
		if err != nil {
			b.Fatal(err)
		}
		targets := map[string]outbox.Target{}
		var remotes []*dir.Remote
		for _, p := range []string{"local", "relayhealth", "optum"} {
			d := filepath.Join(work, "out", p)
			if err := os.MkdirAll(d, 0o750); err != nil {
				b.Fatal(err)
			}
			rm, err := dir.New(d)
			if err != nil {
				b.Fatal(err)
			}
			remotes = append(remotes, rm)
			targets[p] = outbox.Target{Remote: rm, Dir: "."}
		}
		deliverer, err := outbox.NewDeliverer(st, sp, targets, outbox.Config{Owner: "bench", Logger: logger})
		if err != nil {
			b.Fatal(err)
		}
		cpu0, mallocs0 := processCPU(b), mallocs()
		b.StartTimer()

		// What `clearinghouse process --partner local FILE` runs.
		f, err := os.Open(input)
		if err != nil {
			b.Fatal(err)
		}
		sf, err := sp.Put(ctx, "inbound", f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		rec, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "local", Name: "input.x12", RemotePath: input,
			SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
		if err != nil {
			b.Fatal(err)
		}
		res, err := eng.ProcessFile(ctx, rec.ID)
		if err != nil {
			b.Fatal(err)
		}
		fwd, err := eng.Forward(ctx)
		if err != nil {
			b.Fatal(err)
		}
		del, err := deliverer.RunOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		cpu += processCPU(b) - cpu0
		allocs += mallocs() - mallocs0
		if res.State != store.InboundProcessed || res.Counts.TxRejected != 0 || len(del.Failed) != 0 || len(del.Delivered) == 0 {
			b.Fatalf("state %s, %d sets rejected, %d delivered, %d delivery failures: %s", res.State, res.Counts.TxRejected,
				len(del.Delivered), len(del.Failed), res.Error)
		}
		claims = res.Counts.ClaimsAccepted + res.Counts.ClaimsRejected
		accepted, forwarded = res.Counts.ClaimsAccepted, fwd.Forwarded
		// Every claim still in effect went out: none is left accepted or
		// suspect (the originals of replacements and voids are replaced
		// or voided, not forwarded).
		left := 0
		for _, state := range []store.ClaimState{store.ClaimAccepted, store.ClaimSuspect} {
			rest, err := st.ListClaims(ctx, store.ClaimFilter{State: state, Limit: 1})
			if err != nil {
				b.Fatal(err)
			}
			left += len(rest)
		}
		if claims != stats.Claims || accepted < claims*9/10 || forwarded < claims*9/10 || left != 0 ||
			res.Outcomes["replacements"] == 0 || res.Outcomes["voids"] == 0 {
			b.Fatalf("%d claims of %d recorded, %d accepted, %d forwarded, %d left unforwarded; outcomes %v, rejections %v",
				claims, stats.Claims, accepted, forwarded, left, res.Outcomes, res.Rejections)
		}
		for _, rm := range remotes {
			rm.Close()
		}
		if err := st.Close(); err != nil {
			b.Fatal(err)
		}
		if err := os.RemoveAll(work); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(stats.Claims)*float64(b.N)/b.Elapsed().Seconds(), "claims/s")
	// CPU time per claim and CPU/wall: steadier than wall time on a shared
	// machine, and the second shows how much of the run uses both cores.
	b.ReportMetric(float64(cpu.Microseconds())/float64(stats.Claims*b.N), "cpu-µs/claim")
	b.ReportMetric(cpu.Seconds()/b.Elapsed().Seconds(), "cpu/wall")
	b.ReportMetric(float64(allocs)/float64(stats.Claims*b.N), "allocs/claim")
	b.Logf("%d claims (%d bytes): %d accepted, %d forwarded", claims, stats.Bytes, accepted, forwarded)
}

// processCPU is the CPU time (user + system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// mallocs is the number of heap allocations so far.
func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// writeFile writes path through a buffered writer.
func writeFile(b *testing.B, path string, write func(*bufio.Writer) (synth.Stats, error)) synth.Stats {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 256<<10)
	stats, err := write(w)
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return stats
}

// loadSchedules builds the repricing engine from every schedule CSV of
// dir and its contracts.yaml, as `repricing.source: files` does.
func loadSchedules(b *testing.B, dir string) *repricing.Engine {
	b.Helper()
	eng, err := storesource.LoadDir(context.Background(), dir, filepath.Join(dir, "contracts.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	return eng
}
