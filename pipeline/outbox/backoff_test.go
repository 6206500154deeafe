package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
	"github.com/clearinghouse/clearinghouse/transport"
)

// errDown is the error of a flakyRemote that is down.
var errDown = errors.New("connection refused")

// flakyRemote is a Remote that can be taken down (every Put fails) and
// records the names of the Puts tried, in order.
type flakyRemote struct {
	transport.Remote

	mu    sync.Mutex
	down  bool
	fail  map[string]int // name → Puts still to fail
	tried []string
}

func (r *flakyRemote) setDown(down bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = down
}

func (r *flakyRemote) Tried() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.tried)
}

func (r *flakyRemote) Put(ctx context.Context, dir, name string, src io.Reader) error {
	r.mu.Lock()
	r.tried = append(r.tried, name)
	fail := r.down || r.fail[name] > 0
	if r.fail[name] > 0 {
		r.fail[name]--
	}
	r.mu.Unlock()
	if fail {
		return fmt.Errorf("put %s: %w", name, errDown)
	}
	return r.Remote.Put(ctx, dir, name, src)
}

// multiDeliverer is a Deliverer over several partners' remotes, on the
// test clock, without jitter.
func (e *env) multiDeliverer(t *testing.T, owner string, remotes map[string]transport.Remote, cfg outbox.Config) *outbox.Deliverer {
	t.Helper()
	cfg.Owner = owner
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.Now = e.clock.Now
	if cfg.Rand == nil {
		cfg.Rand = func() float64 { return 0 }
	}
	targets := map[string]outbox.Target{}
	for p, r := range remotes {
		targets[p] = outbox.Target{Remote: r, Dir: "outbox"}
	}
	d, err := outbox.NewDeliverer(e.st, e.sp, targets, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (e *env) enqueueFor(t *testing.T, partner, name string) *store.OutboundFile {
	t.Helper()
	rec, _, err := outbox.Enqueue(t.Context(), e.st, e.sp, store.OutboundFile{PartnerID: partner, Kind: store.Kind999, Name: name}, []byte("ISA*"+name+"~"))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func partnerResult(t *testing.T, res outbox.Result, partner string) outbox.PartnerResult {
	t.Helper()
	for _, p := range res.Partners {
		if p.Partner == partner {
			return p
		}
	}
	t.Fatalf("result %+v has no partner %s", res.Partners, partner)
	return outbox.PartnerResult{}
}

func countStates(t *testing.T, e *env, partner string) map[store.OutboundState]int {
	t.Helper()
	rows, err := e.st.ListOutbound(t.Context(), store.OutboundFilter{PartnerID: partner, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := map[store.OutboundState]int{}
	for _, f := range rows {
		n[f.State]++
	}
	return n
}

// TestPartnerDownOnePass queues 100 files for a partner whose server is
// down and a few for another: one RunOnce tries the down partner once,
// delivers the other's files and returns; the next passes do not touch the
// down partner before its backoff, and nothing is lost.
func TestPartnerDownOnePass(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			e := newEnv(t, be.URL(t))
			down := &flakyRemote{Remote: newTarget(t, "dir").remote, down: true}
			upTarget := newTarget(t, "dir")
			up := &flakyRemote{Remote: upTarget.remote}
			for i := range 100 {
				e.enqueueFor(t, "acme", fmt.Sprintf("999-acme-%03d.x12", i))
			}
			var zenith []string
			for i := range 3 {
				zenith = append(zenith, e.enqueueFor(t, "zenith", fmt.Sprintf("999-zenith-%d.x12", i)).Name)
			}
			d := e.multiDeliverer(t, "engine-1", map[string]transport.Remote{"acme": down, "zenith": up}, outbox.Config{RetryAfter: time.Minute})

			res := runOnce(t, d)
			if got := down.Tried(); len(got) > 1 {
				t.Fatalf("down partner tried %d times in one pass; want at most once", len(got))
			}
			if len(res.Failed) != 1 || res.Failed[0].PartnerID != "acme" {
				t.Fatalf("failed %+v; want acme's first file only", res.Failed)
			}
			if got := up.Tried(); !slices.Equal(got, zenith) {
				t.Fatalf("zenith received %q; want %q", got, zenith)
			}
			if len(res.Delivered) != 3 {
				t.Fatalf("delivered %d; want zenith's 3", len(res.Delivered))
			}
			pa := partnerResult(t, res, "acme")
			if pa.ConsecutiveFailures != 1 || pa.Breaker != outbox.BreakerClosed || !pa.RetryAt.Equal(e.clock.Now().Add(time.Minute)) {
				t.Errorf("acme %+v; want 1 failure, breaker closed, retry in 1m", pa)
			}

			// Before the backoff has passed the down partner is not contacted.
			e.clock.Advance(30 * time.Second)
			res = runOnce(t, d)
			if got := down.Tried(); len(got) != 1 || len(res.Failed) != 0 {
				t.Fatalf("second pass: down partner tried %d times in all, %d failed; want no new attempt", len(got), len(res.Failed))
			}
			// Once it is due: one attempt again, with a doubled backoff.
			e.clock.Advance(30 * time.Second)
			res = runOnce(t, d)
			if got := down.Tried(); len(got) != 2 {
				t.Fatalf("third pass: down partner tried %d times in all; want 2", len(got))
			}
			if pa := partnerResult(t, res, "acme"); !pa.RetryAt.Equal(e.clock.Now().Add(2 * time.Minute)) {
				t.Errorf("after the second failure retry at %v; want %v (doubled)", pa.RetryAt, e.clock.Now().Add(2*time.Minute))
			}
			if n := countStates(t, e, "acme"); n[store.OutboundFailed] != 1 || n[store.OutboundPending] != 99 {
				t.Fatalf("acme rows %v; want 1 failed, 99 pending", n)
			}

			// The server is back: everything goes out, in order, once.
			down.setDown(false)
			e.clock.Advance(2 * time.Minute)
			res = runOnce(t, d)
			if len(res.Delivered) != 100 || len(res.Failed) != 0 {
				t.Fatalf("after recovery delivered %d, failed %d; want 100, 0", len(res.Delivered), len(res.Failed))
			}
			if pa := partnerResult(t, res, "acme"); pa.ConsecutiveFailures != 0 || !pa.RetryAt.IsZero() {
				t.Errorf("acme after recovery %+v; want the backoff reset", pa)
			}
			if n := countStates(t, e, "acme"); n[store.OutboundDelivered] != 100 {
				t.Fatalf("acme rows %v; want 100 delivered", n)
			}
		})
	}
}

// TestFIFOUnderFailure fails the first of a partner's files (twice): the
// later files, among them a replacement of the first, are never delivered
// before it, across passes and retries.
func TestFIFOUnderFailure(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			e := newEnv(t, be.URL(t))
			r := &flakyRemote{Remote: newTarget(t, "dir").remote, fail: map[string]int{"837-original.x12": 2}}
			names := []string{"837-original.x12", "999-b.x12", "837-replacement.x12"}
			for _, n := range names {
				e.enqueueFor(t, partner, n)
			}
			d := e.multiDeliverer(t, "engine-1", map[string]transport.Remote{partner: r}, outbox.Config{RetryAfter: time.Minute})
			var delivered []string
			for pass := range 4 {
				res := runOnce(t, d)
				for _, f := range res.Delivered {
					delivered = append(delivered, f.Name)
				}
				if pass < 2 && len(res.Delivered) != 0 {
					t.Fatalf("pass %d delivered %d files while the first one fails; want none", pass+1, len(res.Delivered))
				}
				e.clock.Advance(10 * time.Minute)
			}
			if !slices.Equal(delivered, names) {
				t.Fatalf("delivered %q; want %q (queue order)", delivered, names)
			}
			want := []string{names[0], names[0], names[0], names[1], names[2]}
			if got := r.Tried(); !slices.Equal(got, want) {
				t.Errorf("uploads tried %q; want %q", got, want)
			}
		})
	}
}

// TestCircuitBreaker fails a partner until its breaker opens: while open
// the partner is not contacted (not even for a file an operator reset);
// after the cool-down one probe goes out: a failed probe opens the breaker
// again, a successful one closes it.
func TestCircuitBreaker(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteURL(t))
	r := &flakyRemote{Remote: newTarget(t, "dir").remote, down: true}
	rec := e.enqueueFor(t, partner, "999-x.x12")
	e.enqueueFor(t, partner, "999-y.x12")
	const coolDown = time.Hour
	d := e.multiDeliverer(t, "engine-1", map[string]transport.Remote{partner: r},
		outbox.Config{RetryAfter: time.Minute, BreakerThreshold: 3, BreakerCoolDown: coolDown})
	check := func(step string, res outbox.Result, breaker outbox.BreakerState, failures, tried int, skipped bool) {
		t.Helper()
		p := partnerResult(t, res, partner)
		if p.Breaker != breaker || p.ConsecutiveFailures != failures || p.Skipped != skipped || len(r.Tried()) != tried {
			t.Fatalf("%s: %+v after %d uploads; want breaker %s, %d failures, skipped %v, %d uploads",
				step, p, len(r.Tried()), breaker, failures, skipped, tried)
		}
	}
	check("failure 1", runOnce(t, d), outbox.BreakerClosed, 1, 1, false)
	e.clock.Advance(time.Minute)
	check("failure 2", runOnce(t, d), outbox.BreakerClosed, 2, 2, false)
	e.clock.Advance(2 * time.Minute)
	res := runOnce(t, d)
	check("failure 3", res, outbox.BreakerOpen, 3, 3, false)
	if p := partnerResult(t, res, partner); !p.RetryAt.Equal(e.clock.Now().Add(coolDown)) {
		t.Fatalf("open breaker retry at %v; want the cool-down, %v", p.RetryAt, e.clock.Now().Add(coolDown))
	}
	// Open: skipped, even when an operator makes the file due at once.
	if err := e.st.ResetOutbound(t.Context(), rec.ID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(coolDown / 2)
	check("open", runOnce(t, d), outbox.BreakerOpen, 3, 3, true)
	// Cool-down over: one probe, which fails: open again, one upload.
	e.clock.Advance(coolDown / 2)
	check("failed probe", runOnce(t, d), outbox.BreakerOpen, 4, 4, false)
	check("open again", runOnce(t, d), outbox.BreakerOpen, 4, 4, true)
	// The partner is back: the next probe succeeds, the breaker closes and
	// the rest of the queue follows in the same pass.
	r.setDown(false)
	e.clock.Advance(coolDown)
	res = runOnce(t, d)
	check("successful probe", res, outbox.BreakerClosed, 0, 6, false)
	if len(res.Delivered) != 2 {
		t.Fatalf("after the probe delivered %d; want 2", len(res.Delivered))
	}
}

// TestBreakerFromAttempts: a new Deliverer (as `clearinghouse cycle`
// starts one each run) knows nothing of earlier failures, but the file's
// attempts do: the backoff keeps growing and the breaker opens.
func TestBreakerFromAttempts(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteURL(t))
	r := &flakyRemote{Remote: newTarget(t, "dir").remote, down: true}
	e.enqueueFor(t, partner, "999-x.x12")
	cfg := outbox.Config{RetryAfter: time.Minute, BreakerThreshold: 3, BreakerCoolDown: time.Hour}
	waits := []time.Duration{time.Minute, 2 * time.Minute, time.Hour}
	for i, want := range waits {
		d := e.multiDeliverer(t, fmt.Sprint("cycle-", i), map[string]transport.Remote{partner: r}, cfg)
		p := partnerResult(t, runOnce(t, d), partner)
		if !p.RetryAt.Equal(e.clock.Now().Add(want)) {
			t.Fatalf("run %d: retry at %v; want in %v", i+1, p.RetryAt, want)
		}
		if wantOpen := i == 2; (p.Breaker == outbox.BreakerOpen) != wantOpen {
			t.Fatalf("run %d: breaker %s; want open %v", i+1, p.Breaker, wantOpen)
		}
		e.clock.Advance(want)
	}
}

// TestBackoffJitterAndCap: waits double from RetryAfter up to MaxBackoff,
// and jitter takes at most a fifth off.
func TestBackoffJitterAndCap(t *testing.T) {
	e := newEnv(t, dbtest.SQLiteURL(t))
	r := &flakyRemote{Remote: newTarget(t, "dir").remote, down: true}
	e.enqueueFor(t, partner, "999-x.x12")
	d := e.multiDeliverer(t, "engine-1", map[string]transport.Remote{partner: r},
		outbox.Config{RetryAfter: time.Minute, MaxBackoff: 5 * time.Minute, BreakerThreshold: 100,
			Rand: func() float64 { return 0.999999 }})
	for i, full := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 5 * time.Minute, 5 * time.Minute} {
		p := partnerResult(t, runOnce(t, d), partner)
		wait := p.RetryAt.Sub(e.clock.Now())
		if wait > full || wait < full*4/5 || wait == full {
			t.Fatalf("failure %d: wait %v; want jittered within (%v, %v)", i+1, wait, full*4/5, full)
		}
		e.clock.Advance(wait)
	}
}

// gatedRemote blocks every Put until release is closed.
type gatedRemote struct {
	transport.Remote
	release chan struct{}
}

func (r *gatedRemote) Put(ctx context.Context, dir, name string, src io.Reader) error {
	select {
	case <-r.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return r.Remote.Put(ctx, dir, name, src)
}

// TestPartnersInParallel: while one partner's upload hangs, a pass goes on
// delivering another partner's files, in order, also one queued during
// the pass; the hung partner's file goes out once its upload ends.
func TestPartnersInParallel(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			e := newEnv(t, be.URL(t))
			slow := &gatedRemote{Remote: newTarget(t, "dir").remote, release: make(chan struct{})}
			fast := &flakyRemote{Remote: newTarget(t, "dir").remote}
			e.enqueueFor(t, "acme", "999-acme-0.x12")
			var zenith []string
			for i := range 5 {
				zenith = append(zenith, e.enqueueFor(t, "zenith", fmt.Sprintf("999-zenith-%d.x12", i)).Name)
			}
			d := e.multiDeliverer(t, "engine-1", map[string]transport.Remote{"acme": slow, "zenith": fast}, outbox.Config{})
			done := make(chan outbox.Result, 1)
			go func() {
				res, err := d.RunOnce(t.Context())
				if err != nil {
					t.Errorf("RunOnce: %v", err)
				}
				done <- res
			}()
			// zenith's files are all delivered while acme's upload hangs.
			deadline := time.Now().Add(10 * time.Second)
			for countStates(t, e, "zenith")[store.OutboundDelivered] != len(zenith) {
				if time.Now().After(deadline) {
					close(slow.release)
					t.Fatalf("zenith %v while acme's upload hangs; want all %d delivered", countStates(t, e, "zenith"), len(zenith))
				}
				time.Sleep(5 * time.Millisecond)
			}
			if got := fast.Tried(); !slices.Equal(got, zenith) {
				t.Fatalf("zenith received %q; want %q", got, zenith)
			}
			// A file queued for zenith now goes out in the same pass.
			zenith = append(zenith, e.enqueueFor(t, "zenith", "999-zenith-late.x12").Name)
			for countStates(t, e, "zenith")[store.OutboundDelivered] != len(zenith) {
				if time.Now().After(deadline) {
					close(slow.release)
					t.Fatalf("zenith %v; want the late file delivered while acme's upload hangs", countStates(t, e, "zenith"))
				}
				time.Sleep(5 * time.Millisecond)
			}
			close(slow.release)
			res := <-done
			if len(res.Delivered) != len(zenith)+1 || len(res.Partners) != 2 || res.Partners[0].Partner != "acme" || res.Partners[0].Delivered != 1 {
				t.Fatalf("result %+v; want acme's file and zenith's %d, partners in ID order", res, len(zenith))
			}
		})
	}
}
