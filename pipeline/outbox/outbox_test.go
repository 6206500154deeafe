package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/internal/pipelinetest"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
	"github.com/clearinghouse/clearinghouse/transport"
	"github.com/clearinghouse/clearinghouse/transport/dir"
	"github.com/clearinghouse/clearinghouse/transport/sftp"
)

const partner = "acme"

// Environment of the child process of TestCrashDelivery.
const (
	envDB        = "OUTBOX_TEST_DB"
	envSpool     = "OUTBOX_TEST_SPOOL"
	envTransport = "OUTBOX_TEST_TRANSPORT" // "dir" or "sftp"
	envDirBase   = "OUTBOX_TEST_DIR_BASE"
)

// Crash points of the child.
const (
	haltBeforeRename = "before-rename" // every byte written to the temp file, not renamed
	haltAfterRename  = "after-rename"  // file in place, not marked delivered
)

// childLease is the lease the child takes; the parent's clock jumps past
// it to take the delivery over.
const childLease = time.Minute

// TestHelperProcess is the child of TestCrashDelivery: it delivers the
// queued file and halts at the crash point named by the scenario, where the
// parent kills it. In an ordinary test run it does nothing.
func TestHelperProcess(t *testing.T) {
	point := pipelinetest.Scenario()
	if point == "" {
		return
	}
	ctx := context.Background()
	st, err := store.Open(ctx, pipelinetest.Env(envDB))
	if err != nil {
		t.Fatal(err)
	}
	sp, err := spool.New(pipelinetest.Env(envSpool))
	if err != nil {
		t.Fatal(err)
	}
	var r transport.Remote
	if pipelinetest.Env(envTransport) == "sftp" {
		r, err = sftp.Dial(ctx, pipelinetest.SFTPConfigFromEnv())
	} else {
		r, err = dir.New(pipelinetest.Env(envDirBase))
	}
	if err != nil {
		t.Fatal(err)
	}
	w := pipelinetest.Wrap(r)
	switch point {
	case haltBeforeRename:
		w.PutSource = func(_ context.Context, src io.Reader) io.Reader { return pipelinetest.HaltAtEOF(src, point) }
	case haltAfterRename:
		w.AfterPut = func(context.Context, string, string) { pipelinetest.Halt(point) }
	default:
		t.Fatalf("unknown scenario %q", point)
	}
	d, err := outbox.NewDeliverer(st, sp, map[string]outbox.Target{partner: {Remote: w, Dir: "outbox"}},
		outbox.Config{Owner: "child", Lease: childLease})
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.RunOnce(ctx)
	t.Fatalf("RunOnce returned (%+v, %v); want a halt at %s", res, err, point)
}

// target is a delivery destination: a Remote and the folder on local disk
// that holds its outbox.
type target struct {
	remote transport.Remote
	outbox string
	env    map[string]string // how a child reaches it
}

func newTarget(t *testing.T, kind string) target {
	t.Helper()
	if kind == "sftp" {
		srv := pipelinetest.NewSFTP(t)
		env := srv.Env()
		env[envTransport] = "sftp"
		return target{remote: srv.Dial(t), outbox: filepath.Join(srv.Root, "outbox"), env: env}
	}
	base := t.TempDir()
	r, err := dir.New(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return target{remote: r, outbox: filepath.Join(base, "outbox"),
		env: map[string]string{envTransport: "dir", envDirBase: base}}
}

// env is a store with a settable clock and a spool.
type env struct {
	st    *store.Store
	sp    *spool.Spool
	url   string
	clock *pipelinetest.Clock
}

func newEnv(t *testing.T, url string) *env {
	t.Helper()
	// The clock starts just behind the wall clock, so that a child on the
	// wall clock can claim what this store queues.
	clock := pipelinetest.NewClock(time.Now().Add(-time.Second))
	sp, err := spool.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &env{st: dbtest.Open(t, store.Config{URL: url, Now: clock.Now}), sp: sp, url: url, clock: clock}
}

func (e *env) enqueue(t *testing.T, name string, data []byte) *store.OutboundFile {
	t.Helper()
	rec, _, err := outbox.Enqueue(t.Context(), e.st, e.sp, store.OutboundFile{PartnerID: partner, Kind: store.Kind999, Name: name}, data)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func (e *env) deliverer(t *testing.T, owner string, r transport.Remote, cfg outbox.Config) *outbox.Deliverer {
	t.Helper()
	cfg.Owner = owner
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = e.clock.Now
	}
	d, err := outbox.NewDeliverer(e.st, e.sp, map[string]outbox.Target{partner: {Remote: r, Dir: "outbox"}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (e *env) get(t *testing.T, id int64) *store.OutboundFile {
	t.Helper()
	f, err := e.st.GetOutbound(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func runOnce(t *testing.T, d *outbox.Deliverer) outbox.Result {
	t.Helper()
	res, err := d.RunOnce(t.Context())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return res
}

// checkOneFile checks that dir holds exactly name (no temp file) with data.
func checkOneFile(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if got := pipelinetest.Names(t, dir, true); !slices.Equal(got, []string{name}) {
		t.Fatalf("outbox holds %q; want only %s", got, name)
	}
	got, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("%s holds %d bytes that differ from the %d queued", name, len(got), len(data))
	}
}

// TestEnqueueTwice queues one name twice: one row, one delivery, and the
// first bytes win.
func TestEnqueueTwice(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			e := newEnv(t, be.URL(t))
			tg := newTarget(t, "dir")
			first, second := []byte("ISA*first 999~"), []byte("ISA*regenerated 999~")
			a := e.enqueue(t, "999-1.x12", first)
			for _, data := range [][]byte{first, second} {
				rec, created, err := outbox.Enqueue(t.Context(), e.st, e.sp,
					store.OutboundFile{PartnerID: partner, Kind: store.Kind999, Name: "999-1.x12"}, data)
				if err != nil || created || rec.ID != a.ID || rec.SHA256 != pipelinetest.SHA256(first) {
					t.Fatalf("second Enqueue = %+v, %v, %v; want row %d with the first bytes, not created", rec, created, err, a.ID)
				}
			}
			rows, err := e.st.ListOutbound(t.Context(), store.OutboundFilter{PartnerID: partner})
			if err != nil || len(rows) != 1 {
				t.Fatalf("%d outbound rows (%v); want 1", len(rows), err)
			}
			d := e.deliverer(t, "engine-1", tg.remote, outbox.Config{})
			if res := runOnce(t, d); len(res.Delivered) != 1 || len(res.Failed) != 0 {
				t.Fatalf("first RunOnce %+v; want one delivery", res)
			}
			if res := runOnce(t, d); len(res.Delivered) != 0 {
				t.Fatalf("second RunOnce %+v; want nothing left to deliver", res)
			}
			checkOneFile(t, tg.outbox, "999-1.x12", first)
			if f := e.get(t, a.ID); f.State != store.OutboundDelivered || f.Attempts != 1 {
				t.Errorf("row state %s after %d attempts; want delivered after 1", f.State, f.Attempts)
			}
		})
	}
}

var crashTests = []struct {
	name      string
	transport string
	point     string
}{
	{"dir, killed between write and rename", "dir", haltBeforeRename},
	{"dir, killed between rename and mark", "dir", haltAfterRename},
	{"sftp, killed between write and rename", "sftp", haltBeforeRename},
	{"sftp, killed between rename and mark", "sftp", haltAfterRename},
}

// TestCrashDelivery kills a delivering process (SIGKILL) after it wrote the
// temp file, or after it renamed it into place, and retries once the lease
// has expired: the partner ends up with exactly one file with the right
// bytes, and the row is delivered.
func TestCrashDelivery(t *testing.T) {
	data := pipelinetest.Synth837(t, 7, 700, 3) // any bytes will do; these are realistic
	const name = "999-7-000000700-1.x12"
	for _, tt := range crashTests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, dbtest.SQLiteURL(t))
			tg := newTarget(t, tt.transport)
			rec := e.enqueue(t, name, data)

			childEnv := map[string]string{envDB: e.url, envSpool: e.sp.Dir()}
			for k, v := range tg.env {
				childEnv[k] = v
			}
			c := pipelinetest.StartChild(t, "TestHelperProcess", tt.point, childEnv)
			c.WaitHalt(t, tt.point)
			c.Kill(t)

			// The crash left the row leased to the dead child.
			f := e.get(t, rec.ID)
			if f.State != store.OutboundDelivering || f.LeaseOwner != "child" || f.Attempts != 1 {
				t.Fatalf("after the crash row is %s, owner %q, %d attempts; want delivering, child, 1", f.State, f.LeaseOwner, f.Attempts)
			}
			var before os.FileInfo
			switch tt.point {
			case haltBeforeRename:
				if got := pipelinetest.Names(t, tg.outbox, true); !slices.Equal(got, []string{transport.TempName(name)}) {
					t.Fatalf("after the crash the outbox holds %q; want only the temp file", got)
				}
			case haltAfterRename:
				checkOneFile(t, tg.outbox, name, data)
				var err error
				if before, err = os.Stat(filepath.Join(tg.outbox, name)); err != nil {
					t.Fatal(err)
				}
			}

			d := e.deliverer(t, "engine-2", tg.remote, outbox.Config{Lease: childLease})
			if res := runOnce(t, d); len(res.Delivered) != 0 {
				t.Fatalf("RunOnce under the dead child's lease delivered %d; want 0", len(res.Delivered))
			}
			e.clock.Advance(childLease + time.Minute)
			res := runOnce(t, d)
			if len(res.Delivered) != 1 || len(res.Failed) != 0 {
				t.Fatalf("retry after lease expiry: %+v; want one delivery", res)
			}
			checkOneFile(t, tg.outbox, name, data)
			f = e.get(t, rec.ID)
			if f.State != store.OutboundDelivered || f.Attempts != 2 || f.LeaseOwner != "" {
				t.Errorf("row %s, %d attempts, owner %q; want delivered, 2, none", f.State, f.Attempts, f.LeaseOwner)
			}
			if before != nil {
				after, err := os.Stat(filepath.Join(tg.outbox, name))
				if err != nil {
					t.Fatal(err)
				}
				if os.SameFile(before, after) {
					t.Errorf("retry left the crashed copy in place; want it replaced by a fresh upload")
				}
			}
			if res := runOnce(t, d); len(res.Delivered) != 0 {
				t.Errorf("another RunOnce delivered %d; want 0", len(res.Delivered))
			}
		})
	}
}

// TestCrashSameInstance kills a delivering process after it wrote the temp
// file and restarts the same instance (same owner name) at once: it hands
// its own lease back at start instead of waiting for it to expire, and
// the retry overwrites the stale temp file.
func TestCrashSameInstance(t *testing.T) {
	data := pipelinetest.Synth837(t, 7, 700, 3)
	const name = "999-7-000000700-1.x12"
	for _, kind := range []string{"dir", "sftp"} {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, dbtest.SQLiteURL(t))
			tg := newTarget(t, kind)
			rec := e.enqueue(t, name, data)
			childEnv := map[string]string{envDB: e.url, envSpool: e.sp.Dir()}
			for k, v := range tg.env {
				childEnv[k] = v
			}
			c := pipelinetest.StartChild(t, "TestHelperProcess", haltBeforeRename, childEnv)
			c.WaitHalt(t, haltBeforeRename)
			c.Kill(t)
			if got := pipelinetest.Names(t, tg.outbox, true); !slices.Equal(got, []string{transport.TempName(name)}) {
				t.Fatalf("after the crash the outbox holds %q; want only the temp file", got)
			}
			// Make the stale temp file longer than the data: the retry must
			// truncate it, not write over its start.
			if err := os.WriteFile(filepath.Join(tg.outbox, transport.TempName(name)), bytes.Repeat([]byte("x"), len(data)+100), 0o600); err != nil {
				t.Fatal(err)
			}

			// Restart as "child" with the lease still live (no clock jump).
			d := e.deliverer(t, "child", tg.remote, outbox.Config{Lease: childLease})
			res := runOnce(t, d)
			if res.Released != 1 || len(res.Delivered) != 1 {
				t.Fatalf("restart: %+v; want its lease released and the file delivered", res)
			}
			checkOneFile(t, tg.outbox, name, data)
			if f := e.get(t, rec.ID); f.State != store.OutboundDelivered || f.Attempts != 2 {
				t.Errorf("row %s after %d attempts; want delivered after 2", f.State, f.Attempts)
			}
			// Another instance never releases the child's leases.
			if res := runOnce(t, d); res.Released != 0 {
				t.Errorf("second RunOnce released %d; want 0 (only at start)", res.Released)
			}
		})
	}
}

// TestLeaseTakenOver lets another engine take a delivery over while the
// first is uploading (its lease expired): the first must not fail the
// whole run, and the partner's next file waits until the other engine
// has finished the first one.
func TestLeaseTakenOver(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteURL(t))
	tg := newTarget(t, "dir")
	first := e.enqueue(t, "999-a.x12", []byte("ISA*a~"))
	second := e.enqueue(t, "999-b.x12", []byte("ISA*b~"))
	w := pipelinetest.Wrap(tg.remote)
	w.AfterPut = func(ctx context.Context, _, name string) {
		if name != first.Name {
			return
		}
		e.clock.Advance(2 * time.Minute)
		f, err := e.st.ClaimOutbound(ctx, "engine-b", time.Minute, partner)
		if err != nil || f.ID != first.ID {
			t.Errorf("engine-b claim = %+v, %v; want to take %s over", f, err, first.Name)
		}
	}
	d := e.deliverer(t, "engine-a", w, outbox.Config{Lease: time.Minute})
	res := runOnce(t, d)
	if res.LeaseLost != 1 || len(res.Delivered) != 0 {
		t.Fatalf("result %+v; want the first file lost to engine-b and the second waiting behind it", res)
	}
	if f := e.get(t, first.ID); f.State != store.OutboundDelivering || f.LeaseOwner != "engine-b" {
		t.Errorf("first file %s, owner %q; want still delivering for engine-b", f.State, f.LeaseOwner)
	}
	// Once engine-b has finished the first file, the second goes out.
	if err := e.st.MarkDelivered(t.Context(), first.ID, "engine-b"); err != nil {
		t.Fatal(err)
	}
	if res := runOnce(t, d); len(res.Delivered) != 1 || res.Delivered[0].ID != second.ID {
		t.Fatalf("result %+v; want the second file delivered", res)
	}
}

// TestLeaseRenewedDuringUpload holds an upload open while the clock passes
// the lease twice over: the lease is renewed, so no other engine can claim
// the file and write the same name concurrently.
func TestLeaseRenewedDuringUpload(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteURL(t))
	tg := newTarget(t, "dir")
	rec := e.enqueue(t, "999-slow.x12", []byte("ISA*slow~"))
	const lease = time.Minute
	started, release := make(chan struct{}), make(chan struct{})
	w := pipelinetest.Wrap(tg.remote)
	w.PutSource = func(ctx context.Context, src io.Reader) io.Reader {
		return &gatedReader{ctx: ctx, r: src, started: started, release: release}
	}
	d := e.deliverer(t, "engine-a", w, outbox.Config{Lease: lease, RenewEvery: time.Millisecond})
	done := make(chan outbox.Result, 1)
	finished := make(chan struct{})
	var runErr error
	go func() {
		defer close(finished)
		res, err := d.RunOnce(context.Background())
		runErr = err
		done <- res
	}()
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(func() { // on failure: let the upload end before the remote closes
		unblock()
		<-finished
	})
	<-started
	for range 3 {
		e.clock.Advance(lease * 2 / 3)
		waitRenewed(t, e, rec.ID, e.clock.Now().Add(lease))
		if f, err := e.st.ClaimOutbound(t.Context(), "engine-b", lease, partner); !errors.Is(err, store.ErrNoWork) {
			t.Fatalf("engine-b claimed %+v (%v) during a live upload; want ErrNoWork", f, err)
		}
	}
	unblock()
	res := <-done
	if runErr != nil {
		t.Fatalf("RunOnce: %v", runErr)
	}
	if len(res.Delivered) != 1 || res.LeaseLost != 0 {
		t.Fatalf("result %+v; want one delivery", res)
	}
	checkOneFile(t, tg.outbox, rec.Name, []byte("ISA*slow~"))
	if f := e.get(t, rec.ID); f.State != store.OutboundDelivered || f.Attempts != 1 {
		t.Errorf("row %s after %d attempts; want delivered after 1", f.State, f.Attempts)
	}
}

// TestLeaseLostDuringUpload lets another engine, whose clock is past the
// lease, take a file over while the first still uploads it: the first
// engine's next renewal finds the lease lost and abandons the upload, so
// two uploads of one name never overlap; the file stays with the new owner.
func TestLeaseLostDuringUpload(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteURL(t))
	tg := newTarget(t, "dir")
	rec := e.enqueue(t, "999-taken.x12", []byte("ISA*taken~"))
	const lease = time.Minute
	// Engine b: another Store on the same database, its clock past a's lease.
	clockB := pipelinetest.NewClock(e.clock.Now().Add(10 * lease))
	stB := dbtest.Open(t, store.Config{URL: e.url, Now: clockB.Now})

	started, release := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(release) })
	w := pipelinetest.Wrap(tg.remote)
	w.PutSource = func(ctx context.Context, src io.Reader) io.Reader {
		return &gatedReader{ctx: ctx, r: src, started: started, release: release}
	}
	d := e.deliverer(t, "engine-a", w, outbox.Config{Lease: lease, RenewEvery: time.Millisecond})
	done := make(chan outbox.Result, 1)
	var runErr error
	go func() {
		res, err := d.RunOnce(context.Background())
		runErr = err
		done <- res
	}()
	<-started
	f, err := stB.ClaimOutbound(t.Context(), "engine-b", lease, partner)
	if err != nil || f.ID != rec.ID {
		t.Fatalf("engine-b claim = %+v, %v; want to take the file over", f, err)
	}
	var res outbox.Result
	select {
	case res = <-done: // only once a renewal has found the lease lost
	case <-time.After(30 * time.Second): // a guard, not a timing assertion
		t.Fatal("upload still running 30s after another engine took the file over")
	}
	if runErr != nil {
		t.Fatalf("RunOnce: %v", runErr)
	}
	if res.LeaseLost != 1 || len(res.Delivered) != 0 || len(res.Failed) != 0 {
		t.Errorf("result %+v; want the file counted as lost, neither delivered nor failed", res)
	}
	if got := pipelinetest.Names(t, tg.outbox, true); len(got) != 0 {
		t.Errorf("outbox holds %q; want the abandoned upload cleaned up", got)
	}
	if f := e.get(t, rec.ID); f.State != store.OutboundDelivering || f.LeaseOwner != "engine-b" || f.Attempts != 2 {
		t.Errorf("row %s, owner %q, %d attempts; want delivering, engine-b, 2", f.State, f.LeaseOwner, f.Attempts)
	}
}

// errUpload is the failure of every upload in TestRetryAfter.
var errUpload = errors.New("partner server refused the upload")

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errUpload }

// TestRetryAfter fails a delivery on a store whose clock is far from the
// wall clock: the retry time comes from the same clock, so the file waits
// RetryAfter (then twice that) and is not retried in a loop within one run.
func TestRetryAfter(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteURL(t))
	e.clock.Set(time.Now().AddDate(1, 0, 0)) // a year ahead of the wall clock
	tg := newTarget(t, "dir")
	rec := e.enqueue(t, "999-retry.x12", []byte("ISA*retry~"))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	uploads := 0
	w := pipelinetest.Wrap(tg.remote)
	w.PutSource = func(context.Context, io.Reader) io.Reader {
		if uploads++; uploads > 5 {
			cancel() // retried in a loop: stop it
		}
		return failingReader{}
	}
	const retry = 10 * time.Minute
	d := e.deliverer(t, "engine-1", w, outbox.Config{RetryAfter: retry, Rand: func() float64 { return 0 }})
	steps := []struct {
		advance    time.Duration
		wantFailed int
	}{
		{0, 1},                   // first attempt fails
		{retry - time.Second, 0}, // not due yet
		{time.Second, 1},         // due: retried once
	}
	for i, step := range steps {
		e.clock.Advance(step.advance)
		res, err := d.RunOnce(ctx)
		if err != nil {
			t.Fatalf("step %d: RunOnce: %v (after %d uploads)", i+1, err, uploads)
		}
		if len(res.Failed) != step.wantFailed || len(res.Delivered) != 0 {
			t.Errorf("step %d: result %+v; want %d failed", i+1, res, step.wantFailed)
		}
	}
	f := e.get(t, rec.ID)
	if f.State != store.OutboundFailed || f.Attempts != 2 || f.AvailableAt == nil ||
		!f.AvailableAt.Equal(e.clock.Now().Add(2*retry).UTC().Truncate(time.Microsecond)) {
		t.Errorf("row %s after %d attempts, available at %v; want failed after 2, due %v (the wait doubled)", f.State, f.Attempts, f.AvailableAt, e.clock.Now().Add(2*retry))
	}
	if !strings.Contains(f.Error, errUpload.Error()) {
		t.Errorf("row error %q; want the upload error", f.Error)
	}
}

// waitRenewed waits until the lease of outbound file id reaches until. The
// renewal runs on a real-time ticker, so this waits (bounded) rather than
// asserting a time.
func waitRenewed(t *testing.T, e *env, id int64, until time.Time) {
	t.Helper()
	until = until.UTC().Truncate(time.Microsecond)
	limit := time.Now().Add(30 * time.Second)
	for {
		f := e.get(t, id)
		if f.LeaseUntil != nil && !f.LeaseUntil.Before(until) {
			return
		}
		if time.Now().After(limit) {
			t.Fatalf("lease until %v, never renewed to %v", f.LeaseUntil, until)
		}
		time.Sleep(time.Millisecond)
	}
}

// gatedReader blocks its first Read until release is closed (or ctx, the
// upload's context, ends), after closing started.
type gatedReader struct {
	ctx              context.Context
	r                io.Reader
	started, release chan struct{}
	opened           bool
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if !g.opened {
		g.opened = true
		close(g.started)
		select {
		case <-g.release:
		case <-g.ctx.Done():
			return 0, g.ctx.Err()
		}
	}
	return g.r.Read(p)
}
