package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
	"github.com/clearinghouse/clearinghouse/pipeline/internal/pipelinetest"
)

// flakyProcessor runs the real processor and then fails (after every row
// of the file was written in the transaction) while fail is set: a
// dropped connection or a full disk at the worst moment.
type flakyProcessor struct {
	real *pipeline.Processor
	mu   sync.Mutex
	fail int                   // failures still to inject
	hook func(context.Context) // called before failing, may be nil
}

func (p *flakyProcessor) ProcessTx(ctx context.Context, tx *store.Tx, f *store.InboundFile) (pipeline.FileResult, error) {
	res, err := p.real.ProcessTx(ctx, tx, f)
	if err != nil {
		return res, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail > 0 {
		p.fail--
		if p.hook != nil {
			p.hook(ctx)
		}
		return res, errors.New("write /var/spool: no space left on device")
	}
	return res, nil
}

// record spools content as a new inbound file of partner acme.
func record(t *testing.T, st *store.Store, sp *spool.Spool, name, content string) *store.InboundFile {
	t.Helper()
	ctx := context.Background()
	sf, err := sp.PutBytes(ctx, "inbound", []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: name, SHA256: sf.SHA256, Size: sf.Size, SpoolPath: sf.Path})
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func countRows(t *testing.T, st *store.Store, table string) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, `SELECT COUNT(*) FROM `+table); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTransientFailureRollsBackFile fails a file after all its claims,
// outcomes and acknowledgments were written: nothing of the attempt
// stays (no claim counts as an original for later duplicate checks, no
// acknowledgment is queued), the file is retried after a backoff and then
// processed exactly once; a file that keeps failing is quarantined.
func TestTransientFailureRollsBackFile(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			clk := pipelinetest.NewClock(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))
			st := dbtest.Open(t, store.Config{URL: be.URL(t), Now: clk.Now})
			sp, err := spool.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			proc := &flakyProcessor{real: pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{}), fail: 1}
			eng, err := pipeline.New(st, sp, proc, []pipeline.Partner{{ID: "acme"}},
				pipeline.Config{Owner: "t", RetryBase: time.Minute, MaxAttempts: 3})
			if err != nil {
				t.Fatal(err)
			}
			f1 := record(t, st, sp, "a.x12", file837("000000301", claimSpec{clm01: "PCN-1"}, claimSpec{clm01: "PCN-2", memberID: "SYN0000002"}))
			f2 := record(t, st, sp, "b.x12", file837("000000302", claimSpec{clm01: "PCN-3", memberID: "SYN0000003"}))

			res, err := eng.ProcessPending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 || res[0].State != store.InboundRetrying || !strings.Contains(res[0].Error, "no space left") {
				t.Fatalf("first pass: %+v; want only a.x12, retrying (b.x12 waits behind it)", res)
			}
			for _, table := range []string{"claims", "claim_lines", "interchanges", "transactions", "outbound_files"} {
				if n := countRows(t, st, table); n != 0 {
					t.Fatalf("%d rows left in %s by the failed attempt", n, table)
				}
			}
			got, _ := st.GetInbound(ctx, f1.ID)
			if got.State != store.InboundRetrying || got.AvailableAt == nil || got.LeaseOwner != "" {
				t.Fatalf("a.x12 after failure: %+v", got)
			}
			if res, _ := eng.ProcessPending(ctx); len(res) != 0 {
				t.Fatalf("retried before its backoff: %+v", res)
			}
			clk.Advance(time.Minute)
			res, err = eng.ProcessPending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 2 || res[0].InboundID != f1.ID || res[0].State != store.InboundProcessed || res[1].InboundID != f2.ID {
				t.Fatalf("after backoff: %+v", res)
			}
			if n := countRows(t, st, "claims"); n != 3 {
				t.Fatalf("%d claims, want 3", n)
			}
			outs, _ := st.ListOutbound(ctx, store.OutboundFilter{InboundFileID: f1.ID})
			if len(outs) != 2 { // one 999, one 277CA
				t.Fatalf("a.x12 outputs %d, want 2", len(outs))
			}
			cs, _ := st.ListClaims(ctx, store.ClaimFilter{InboundFileID: f1.ID})
			for _, c := range cs {
				if c.State != store.ClaimAccepted {
					t.Fatalf("claim %s state %s", c.CLM01, c.State)
				}
			}

			// A file that keeps failing ends quarantined after MaxAttempts.
			proc.fail = 10
			f3 := record(t, st, sp, "c.x12", file837("000000303", claimSpec{clm01: "PCN-4", memberID: "SYN0000004"}))
			for i := 0; i < 3; i++ {
				if _, err := eng.ProcessPending(ctx); err != nil {
					t.Fatal(err)
				}
				clk.Advance(time.Hour)
			}
			got, _ = st.GetInbound(ctx, f3.ID)
			if got.State != store.InboundQuarantined || !strings.Contains(got.Error, "3 failed attempts") || !strings.Contains(got.Error, "no space left") {
				t.Fatalf("c.x12: state %s error %q; want quarantined with the last error", got.State, got.Error)
			}
			if res, _ := eng.ProcessPending(ctx); len(res) != 0 {
				t.Fatalf("quarantined file retried: %+v", res)
			}
			// Cycle reports files it could not process.
			proc.fail = 1
			record(t, st, sp, "d.x12", file837("000000304", claimSpec{clm01: "PCN-5", memberID: "SYN0000005"}))
			cr, err := eng.Cycle(ctx)
			if !errors.Is(err, pipeline.ErrUnprocessed) || cr.Unprocessed != 1 {
				t.Fatalf("Cycle with a failing file: unprocessed %d, err %v; want ErrUnprocessed", cr.Unprocessed, err)
			}
		})
	}
}

// TestCrashingFileQuarantined: a file the engine died on MaxAttempts times
// (kill, OOM, a crash in a parser) is quarantined instead of processed
// again.
func TestCrashingFileQuarantined(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			clk := pipelinetest.NewClock(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC))
			st := dbtest.Open(t, store.Config{URL: be.URL(t), Now: clk.Now})
			sp, _ := spool.New(t.TempDir())
			f := record(t, st, sp, "a.x12", file837("000000311", claimSpec{clm01: "PCN-1"}))
			for i := 0; i < 3; i++ { // three engines took it and died
				if _, err := st.ClaimInbound(ctx, fmt.Sprint("dead-", i), time.Minute); err != nil {
					t.Fatal(err)
				}
				clk.Advance(2 * time.Minute)
			}
			eng, err := pipeline.New(st, sp, pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{}), []pipeline.Partner{{ID: "acme"}},
				pipeline.Config{Owner: "t"})
			if err != nil {
				t.Fatal(err)
			}
			res, err := eng.ProcessPending(ctx)
			if err != nil || len(res) != 1 || res[0].State != store.InboundQuarantined {
				t.Fatalf("ProcessPending = %+v, %v; want the file quarantined", res, err)
			}
			got, _ := st.GetInbound(ctx, f.ID)
			if got.State != store.InboundQuarantined || !strings.Contains(got.Error, "3 times") || countRows(t, st, "claims") != 0 {
				t.Fatalf("file: %s %q, %d claims", got.State, got.Error, countRows(t, st, "claims"))
			}
		})
	}
}

// TestShutdownReleasesLease: a graceful shutdown in the middle of a file
// gives the file back at once (no lease left, the try not counted) and
// keeps nothing of it.
func TestShutdownReleasesLease(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			sp, _ := spool.New(t.TempDir())
			ctx, cancel := context.WithCancel(context.Background())
			proc := &flakyProcessor{real: pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{}), fail: 1,
				hook: func(context.Context) { cancel() }}
			eng, err := pipeline.New(st, sp, proc, []pipeline.Partner{{ID: "acme"}}, pipeline.Config{Owner: "t"})
			if err != nil {
				t.Fatal(err)
			}
			f := record(t, st, sp, "a.x12", file837("000000321", claimSpec{clm01: "PCN-1"}))
			if _, err := eng.ProcessPending(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("ProcessPending err %v, want context.Canceled", err)
			}
			got, _ := st.GetInbound(context.Background(), f.ID)
			if got.State != store.InboundReceived || got.LeaseOwner != "" || got.LeaseUntil != nil || got.Attempts != 0 {
				t.Fatalf("after shutdown: state %s owner %q until %v attempts %d", got.State, got.LeaseOwner, got.LeaseUntil, got.Attempts)
			}
			if n := countRows(t, st, "claims"); n != 0 {
				t.Fatalf("%d claims kept from the abandoned attempt", n)
			}
			res, err := eng.ProcessPending(context.Background())
			if err != nil || len(res) != 1 || res[0].State != store.InboundProcessed {
				t.Fatalf("restart: %+v, %v", res, err)
			}
		})
	}
}

// TestDeadLocalEngineLeasesReclaimed: an engine starting on a host takes
// back at once the inbound and outbound leases of a dead engine of the
// same host (default owner names are host-pid), and leaves a live one's.
func TestDeadLocalEngineLeasesReclaimed(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			sp, _ := spool.New(t.TempDir())
			host, err := os.Hostname()
			if err != nil {
				t.Fatal(err)
			}
			dead := exec.Command("true")
			if err := dead.Run(); err != nil {
				t.Fatal(err)
			}
			deadOwner := fmt.Sprintf("%s-%d", host, dead.Process.Pid)
			liveOwner := fmt.Sprintf("%s-%d", host, os.Getppid())
			f1 := record(t, st, sp, "a.x12", file837("000000331", claimSpec{clm01: "PCN-1"}))
			b := record(t, st, sp, "b.x12", file837("000000332", claimSpec{clm01: "PCN-2"}))
			if _, err := st.ClaimInboundID(ctx, f1.ID, deadOwner, time.Hour); err != nil {
				t.Fatal(err)
			}
			o, _, err := st.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: "acme", Kind: store.Kind999, Name: "x.x12", SHA256: fmt.Sprintf("%064d", 7)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.ClaimOutbound(ctx, deadOwner, time.Hour, ""); err != nil {
				t.Fatal(err)
			}
			f2, err := st.ClaimInboundID(ctx, b.ID, liveOwner, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			eng, err := pipeline.New(st, sp, pipeline.NewProcessor(st, sp, pipeline.ProcessorConfig{}), []pipeline.Partner{{ID: "acme"}},
				pipeline.Config{Owner: "t"})
			if err != nil {
				t.Fatal(err)
			}
			if err := eng.ReclaimLeases(ctx); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.GetInbound(ctx, f1.ID); got.State != store.InboundReceived || got.LeaseOwner != "" || got.Attempts != 1 {
				t.Fatalf("dead engine's inbound file: %s owner %q attempts %d; want received, released, the try counted", got.State, got.LeaseOwner, got.Attempts)
			}
			if got, _ := st.GetOutbound(ctx, o.ID); got.State == store.OutboundDelivering {
				t.Fatalf("dead engine's outbound file still delivering (owner %q)", got.LeaseOwner)
			}
			if got, _ := st.GetInbound(ctx, f2.ID); got.State != store.InboundProcessing || got.LeaseOwner != liveOwner {
				t.Fatalf("live engine's file: %s owner %q; want it left alone", got.State, got.LeaseOwner)
			}
		})
	}
}
