package outbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/faultinject"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/transport"
)

// Enqueue stores data in the spool and queues it for delivery to
// f.PartnerID as f.Name (f.Kind and, for an answer, f.InboundFileID set by
// the caller). It returns the queued row and whether it was new. A name
// already queued for the partner returns the existing row unchanged,
// whatever data is: the first bytes win, so regenerating an answer (a
// reprocessed file) queues nothing twice.
func Enqueue(ctx context.Context, st *store.Store, sp *spool.Spool, f store.OutboundFile, data []byte) (*store.OutboundFile, bool, error) {
	sf, err := sp.PutBytes(ctx, "outbound", data)
	if err != nil {
		return nil, false, err
	}
	f.SpoolPath, f.SHA256, f.Size = sf.Path, sf.SHA256, sf.Size
	rec, created, err := st.EnqueueOutbound(ctx, f)
	if err != nil {
		return nil, false, fmt.Errorf("outbox: enqueue %s/%s: %w", f.PartnerID, f.Name, err)
	}
	return rec, created, nil
}

// Target is where one partner's files go.
type Target struct {
	// Remote is the partner's file store.
	Remote transport.Remote
	// Dir is the directory on the remote, default ".".
	Dir string
}

// Config configures a Deliverer.
type Config struct {
	// Owner names this engine instance in leases. Required. The first
	// RunOnce hands back every outbound lease still held under this name
	// (left by an earlier, killed run of the same instance), so two live
	// processes must never share an Owner.
	Owner string
	// Lease is how long a file is leased while it is delivered. Default 5m;
	// the engine passes the configured lease_ttl.
	Lease time.Duration
	// RenewEvery is how often the lease is renewed while an upload runs,
	// so that a slow upload is not taken over (and written concurrently)
	// by another engine. Default (and whenever it is not below Lease)
	// Lease/3.
	RenewEvery time.Duration
	// RetryAfter is the wait after a partner's first failed delivery.
	// Each further consecutive failure doubles it, up to MaxBackoff; up to
	// a fifth of each wait is taken off at random (jitter), so that
	// engines and partners do not retry in step. Default 1m.
	RetryAfter time.Duration
	// MaxBackoff caps the wait between two attempts. Default 30m.
	MaxBackoff time.Duration
	// BreakerThreshold is the number of consecutive failed deliveries to
	// a partner after which its circuit breaker opens: the partner is not
	// tried at all until BreakerCoolDown has passed, then one file probes
	// it (half-open); success closes the breaker, failure opens it again.
	// Default 5.
	BreakerThreshold int
	// BreakerCoolDown is how long an open breaker keeps its partner
	// skipped (at least the backoff). Default 30m.
	BreakerCoolDown time.Duration
	// Parallel is how many partners a pass delivers to at once; each
	// partner's files still go one at a time, oldest first, so a partner
	// with a long queue (or a slow server) holds up only its own files.
	// Default 4.
	Parallel int
	// Rand returns the jitter draw in [0, 1). Default math/rand/v2.Float64.
	// Calls are serialized.
	Rand func() float64
	// Logger receives structured logs. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock for retry times; give it the store's clock.
	// Default time.Now.
	Now func() time.Time
}

// BreakerState is the state of a partner's circuit breaker.
type BreakerState string

// Circuit breaker states.
const (
	// BreakerClosed: the partner is delivered to normally.
	BreakerClosed BreakerState = "closed"
	// BreakerOpen: too many consecutive failures; the partner is skipped
	// until its cool-down has passed.
	BreakerOpen BreakerState = "open"
	// BreakerHalfOpen: the cool-down has passed; the next file probes the
	// partner.
	BreakerHalfOpen BreakerState = "half-open"
)

// partnerState is what a Deliverer remembers of one partner between runs.
type partnerState struct {
	failures int // consecutive failed deliveries
	breaker  BreakerState
	retryAt  time.Time // after a failure: when the partner is tried next
}

// Deliverer delivers queued files to partners.
type Deliverer struct {
	cfg   Config
	store *store.Store
	// leases claims files on PostgreSQL's asynchronous-commit pool: a
	// lease is visible to every engine at once, and one lost with a crash
	// of the database server only lets the file be claimed again (the
	// mark of a delivery is committed synchronously, with its audit row).
	leases   *store.Queries
	spool    *spool.Spool
	targets  map[string]Target
	partners []string // target partner IDs, sorted

	// run is held by the running RunOnce (one at a time), and guards
	// released and state (a partner's state is used by the goroutine
	// delivering to it).
	run      chan struct{}
	released bool
	state    map[string]*partnerState
	randMu   sync.Mutex // serializes cfg.Rand
}

// NewDeliverer returns a Deliverer for the partners in targets (keyed by
// partner ID). Files for partners without a target stay queued.
func NewDeliverer(st *store.Store, sp *spool.Spool, targets map[string]Target, cfg Config) (*Deliverer, error) {
	if cfg.Owner == "" {
		return nil, errors.New("outbox: Owner is required")
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.RenewEvery <= 0 || cfg.RenewEvery >= cfg.Lease {
		cfg.RenewEvery = max(cfg.Lease/3, time.Millisecond)
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Minute
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Minute
	}
	cfg.MaxBackoff = max(cfg.MaxBackoff, cfg.RetryAfter)
	if cfg.BreakerThreshold <= 0 {
		cfg.BreakerThreshold = 5
	}
	if cfg.BreakerCoolDown <= 0 {
		cfg.BreakerCoolDown = 30 * time.Minute
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 4
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	leases, err := st.AsyncCommit()
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	d := &Deliverer{cfg: cfg, store: st, leases: leases, spool: sp, targets: targets,
		partners: slices.Sorted(maps.Keys(targets)), run: make(chan struct{}, 1), state: map[string]*partnerState{}}
	for _, p := range d.partners {
		d.state[p] = &partnerState{breaker: BreakerClosed}
	}
	return d, nil
}

// Result is what one RunOnce did.
type Result struct {
	// Delivered are the files delivered and marked so.
	Delivered []store.OutboundFile
	// Failed are the files whose delivery attempt failed, as claimed for
	// the attempt (retried after their partner's backoff).
	Failed []store.OutboundFile
	// LeaseLost counts files another engine took over while this one
	// delivered them (its lease had expired); that engine finishes them.
	LeaseLost int
	// Released counts the leases of an earlier run of this instance that
	// the first RunOnce handed back to the queue.
	Released int
	// Partners is the state of every target partner after the run, by
	// partner ID.
	Partners []PartnerResult
}

// PartnerResult is one partner's part of a RunOnce.
type PartnerResult struct {
	Partner string `json:"partner"`
	// Breaker is the state of the partner's circuit breaker after the run.
	Breaker BreakerState `json:"breaker"`
	// ConsecutiveFailures counts the failed deliveries since the last
	// success (as seen by this Deliverer).
	ConsecutiveFailures int `json:"consecutive_failures"`
	// RetryAt is when the partner is tried next after a failure; zero when
	// its last delivery succeeded.
	RetryAt time.Time `json:"retry_at,omitzero"`
	// Skipped is true when the run did not try the partner because its
	// breaker was open.
	Skipped bool `json:"skipped,omitempty"`
	// Delivered and Failed count the partner's files in this run.
	Delivered int `json:"delivered"`
	Failed    int `json:"failed"`
}

// RunOnce makes one delivery pass over the target partners, Parallel
// partners at a time. Every file is attempted at most once per pass, and
// a partner's files are delivered one at a time, oldest first
// (store.ClaimOutbound): after a partner's first failure the pass is done
// with that partner, and the failed file, with the partner's later files
// behind it, waits for the partner's backoff. A partner whose breaker is
// open is skipped without being contacted. So a partner that is down
// costs one attempt per pass at most, and RunOnce returns once every
// partner has had its turn, with the partners' results in partner ID
// order and the first error in that order. Concurrent calls run one after
// the other.
func (d *Deliverer) RunOnce(ctx context.Context) (Result, error) {
	var res Result
	select {
	case d.run <- struct{}{}:
		defer func() { <-d.run }()
	case <-ctx.Done():
		return res, ctx.Err()
	}
	if !d.released {
		n, err := d.store.ReleaseOutboundLeases(ctx, d.cfg.Owner)
		if err != nil {
			return res, fmt.Errorf("outbox: %w", err)
		}
		d.released = true
		res.Released = int(n)
		if n > 0 {
			d.cfg.Logger.InfoContext(ctx, "deliveries of an earlier run of this instance released for retry", slog.Int64("files", n))
		}
	}
	type run struct {
		res Result
		err error
	}
	runs := make([]run, len(d.partners))
	slots := make(chan struct{}, d.cfg.Parallel)
	pa := newPass(len(d.partners))
	var wg sync.WaitGroup
	for i, partner := range d.partners {
		slots <- struct{}{}
		pa.start()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			r := &runs[i]
			r.err = d.runPartner(ctx, partner, pa, &r.res)
			pa.leave()
			ps := d.state[partner]
			pr := &r.res.Partners[0]
			pr.Breaker, pr.ConsecutiveFailures, pr.RetryAt = ps.breaker, ps.failures, ps.retryAt
		}()
	}
	wg.Wait()
	var err error
	for _, r := range runs {
		res.Delivered = append(res.Delivered, r.res.Delivered...)
		res.Failed = append(res.Failed, r.res.Failed...)
		res.LeaseLost += r.res.LeaseLost
		res.Partners = append(res.Partners, r.res.Partners...)
		if err == nil {
			err = r.err
		}
	}
	return res, err
}

// pass is what the partners of one RunOnce share: a partner that has
// delivered everything it found looks again, every idlePoll, for files
// queued since, as long as another partner is still delivering (a
// partner's long queue does not keep the others' new files waiting for
// the next pass), every partner has started (it holds a slot) and the
// pass is not over.
type pass struct {
	mu       sync.Mutex
	pending  int // partners not started yet
	draining int // partners started and not idle or done
	over     chan struct{}
}

// idlePoll is how often an idle partner looks for new files while
// others are still delivering.
const idlePoll = 100 * time.Millisecond

func newPass(partners int) *pass { return &pass{pending: partners, over: make(chan struct{})} }

func (p *pass) start() {
	p.mu.Lock()
	p.pending--
	p.draining++
	p.mu.Unlock()
}

// idle reports, after a wait, whether a partner that found no file should
// look again (it is draining again) or end its turn.
func (p *pass) idle(ctx context.Context) bool {
	p.mu.Lock()
	p.draining--
	if p.pending > 0 || p.draining == 0 {
		p.endIfIdle()
		p.draining++ // ended below by leave
		p.mu.Unlock()
		return false
	}
	p.mu.Unlock()
	t := time.NewTimer(idlePoll)
	defer t.Stop()
	select {
	case <-t.C:
	case <-p.over:
	case <-ctx.Done():
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draining++
	select {
	case <-p.over:
		return false
	default:
		return ctx.Err() == nil
	}
}

// leave ends a partner's turn.
func (p *pass) leave() {
	p.mu.Lock()
	p.draining--
	p.endIfIdle()
	p.mu.Unlock()
}

// endIfIdle closes over once no started partner is delivering and none
// is pending; called with mu held.
func (p *pass) endIfIdle() {
	if p.draining == 0 && p.pending == 0 {
		select {
		case <-p.over:
		default:
			close(p.over)
		}
	}
}

// runPartner delivers partner's deliverable files until the first failure
// and sets res (of this partner only; its one PartnerResult).
func (d *Deliverer) runPartner(ctx context.Context, partner string, pa *pass, res *Result) error {
	res.Partners = append(res.Partners, PartnerResult{Partner: partner})
	pr := &res.Partners[0]
	seen := map[int64]bool{}
	t, ps := d.targets[partner], d.state[partner]
	log := d.cfg.Logger.With(slog.String("partner", partner))
	if ps.breaker == BreakerOpen {
		if d.cfg.Now().Before(ps.retryAt) {
			pr.Skipped = true
			log.DebugContext(ctx, "partner skipped: delivery circuit breaker open", slog.Time("retry_at", ps.retryAt))
			return nil
		}
		ps.breaker = BreakerHalfOpen
		log.InfoContext(ctx, "delivery circuit breaker half-open: probing the partner")
	}
	// from is the ID the partner's next file is looked for from: the last
	// file this pass leased, as no older one was open then (an operator's
	// reset of an older file is found by the next pass, which starts over).
	var from int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := d.leases.ClaimOutboundFrom(ctx, d.cfg.Owner, d.cfg.Lease, partner, from)
		if errors.Is(err, store.ErrNoWork) {
			if pa.idle(ctx) {
				continue
			}
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("outbox: claim: %w", err)
		}
		from = f.ID
		log := log.With(slog.Int64("outbound_id", f.ID), transport.NameAttr(f.Name))
		if seen[f.ID] {
			// Attempted once in this pass already (its lease came back to
			// us): hand it back untouched for the next pass.
			if err := d.store.ReleaseOutbound(ctx, f.ID, d.cfg.Owner); err != nil && !errors.Is(err, store.ErrLeaseLost) {
				return fmt.Errorf("outbox: release: %w", err)
			}
			return nil
		}
		seen[f.ID] = true
		err = d.deliverLeased(ctx, t, f)
		if err != nil && ctx.Err() != nil {
			// Shutting down: the lease expires (or the next start of this
			// instance releases it) and another attempt puts the same bytes
			// under the same name.
			return ctx.Err()
		}
		if errors.Is(err, store.ErrLeaseLost) {
			res.LeaseLost++
			log.WarnContext(ctx, "delivery lease taken over by another engine; it delivers the file")
			continue
		}
		if err != nil {
			lost, ferr := d.failed(ctx, log, ps, f, err)
			if ferr != nil {
				return ferr
			}
			if lost {
				res.LeaseLost++
				continue
			}
			res.Failed = append(res.Failed, *f)
			pr.Failed++
			if errors.Is(err, errSpoolMissing) {
				continue // parked; the partner is fine
			}
			return nil // the partner's other files wait for its backoff
		}
		// The delivered state and its audit row commit together: one
		// synchronous commit per file.
		err = d.store.MarkDeliveredAudited(ctx, f.ID, d.cfg.Owner, store.AuditEntry{Actor: "outbox", Action: "outbound.delivered",
			Entity: "outbound_file", EntityID: strconv.FormatInt(f.ID, 10), Detail: partner + ": " + f.Name})
		if errors.Is(err, store.ErrLeaseLost) {
			// The file is in place; the engine that took the lease over
			// puts the same bytes under the same name and marks it.
			res.LeaseLost++
			log.WarnContext(ctx, "delivered, but the lease was taken over by another engine; it marks the file")
			continue
		}
		if err != nil {
			return fmt.Errorf("outbox: mark delivered: %w", err)
		}
		if ps.failures > 0 || ps.breaker != BreakerClosed {
			log.InfoContext(ctx, "partner reachable again; delivery circuit breaker closed",
				slog.Int("failures", ps.failures), slog.String("breaker_was", string(ps.breaker)))
		}
		ps.failures, ps.breaker, ps.retryAt = 0, BreakerClosed, time.Time{}
		f.State = store.OutboundDelivered
		res.Delivered = append(res.Delivered, *f)
		pr.Delivered++
		log.InfoContext(ctx, "file delivered", slog.String("kind", f.Kind))
	}
}

// errSpoolMissing marks a delivery that failed because the file's spooled
// bytes are gone: no retry can help, so the file is parked for an operator
// instead of holding its partner's queue.
var errSpoolMissing = errors.New("spooled bytes missing")

// failed records the failed delivery of f (cause): the partner's backoff
// and breaker advance and the file waits for the partner's retry time.
// lost reports that the lease was taken over meanwhile.
func (d *Deliverer) failed(ctx context.Context, log *slog.Logger, ps *partnerState, f *store.OutboundFile, cause error) (lost bool, err error) {
	msg := transport.RedactName(cause.Error(), f.Name)
	var retryAt time.Time
	if errors.Is(cause, errSpoolMissing) {
		log.ErrorContext(ctx, "delivery failed: spooled bytes missing; file parked until an operator resets it", slog.String("error", msg))
	} else {
		ps.failures++
		n := max(ps.failures, f.Attempts)
		wait := d.backoff(n)
		if n >= d.cfg.BreakerThreshold {
			wait = max(wait, d.jitter(d.cfg.BreakerCoolDown))
			if ps.breaker != BreakerOpen {
				log.WarnContext(ctx, "delivery circuit breaker open: partner skipped until its cool-down has passed",
					slog.Int("failures", n), slog.Duration("cool_down", wait))
			}
			ps.breaker = BreakerOpen
		} else if ps.breaker == BreakerHalfOpen {
			ps.breaker = BreakerOpen
		}
		retryAt = d.cfg.Now().Add(wait)
		ps.retryAt = retryAt
		log.ErrorContext(ctx, "delivery failed; the partner's files wait for its retry", slog.String("error", msg),
			slog.Int("attempts", f.Attempts), slog.Time("retry_at", retryAt), slog.String("breaker", string(ps.breaker)))
	}
	err = d.store.MarkOutboundFailed(ctx, f.ID, d.cfg.Owner, cause.Error(), retryAt)
	if errors.Is(err, store.ErrLeaseLost) {
		log.WarnContext(ctx, "delivery lease taken over by another engine; it delivers the file")
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("outbox: mark failed: %w", err)
	}
	return false, nil
}

// backoff is the wait after the n-th consecutive failure: RetryAfter
// doubled n-1 times, capped at MaxBackoff, with jitter.
func (d *Deliverer) backoff(n int) time.Duration {
	w := d.cfg.RetryAfter
	for i := 1; i < n && w < d.cfg.MaxBackoff; i++ {
		w *= 2
	}
	return d.jitter(min(w, d.cfg.MaxBackoff))
}

// jitter takes up to a fifth off w at random.
func (d *Deliverer) jitter(w time.Duration) time.Duration {
	d.randMu.Lock()
	r := d.cfg.Rand()
	d.randMu.Unlock()
	return w - time.Duration(float64(w)*0.2*r)
}

// deliverLeased delivers f while renewing its lease every RenewEvery. When
// a renewal finds the lease lost, the upload is cancelled and the error
// wraps store.ErrLeaseLost: another engine owns the file now, and two
// uploads of one name must not overlap.
func (d *Deliverer) deliverLeased(ctx context.Context, t Target, f *store.OutboundFile) error {
	upCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		tick := time.NewTicker(d.cfg.RenewEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-upCtx.Done():
				return
			case <-tick.C:
				err := d.store.RenewOutbound(upCtx, f.ID, d.cfg.Owner, d.cfg.Lease)
				if errors.Is(err, store.ErrLeaseLost) {
					cancel(err)
					return
				}
				if err != nil && upCtx.Err() == nil {
					d.cfg.Logger.WarnContext(ctx, "lease renewal failed", slog.Int64("outbound_id", f.ID), slog.String("error", err.Error()))
				}
			}
		}
	}()
	err := d.deliver(upCtx, t, f)
	close(stop)
	<-renewed
	if cause := context.Cause(upCtx); errors.Is(cause, store.ErrLeaseLost) {
		return fmt.Errorf("outbox: deliver %d: %w", f.ID, cause)
	}
	return err
}

func (d *Deliverer) deliver(ctx context.Context, t Target, f *store.OutboundFile) error {
	dir := t.Dir
	if dir == "" {
		dir = "."
	}
	r, err := d.spool.OpenContext(ctx, f.SpoolPath)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", errSpoolMissing, err)
	}
	if err != nil {
		return err
	}
	defer r.Close()
	if err := t.Remote.MkdirAll(ctx, dir); err != nil {
		return err
	}
	if err := t.Remote.Put(ctx, dir, f.Name, r); err != nil {
		return err
	}
	faultinject.Hit("outbox.put")
	return nil
}
