// Package pipeline runs the clearinghouse: it polls partner inboxes
// (pipeline/intake), processes each recorded file (validation, TA1/999,
// claim outcomes) and delivers outbound files (pipeline/outbox). Every
// stage reads and writes durable state in the store, so any process can
// crash at any point and the next cycle resumes without losing or doubling
// a file; several engine processes may share one PostgreSQL, claiming work
// with FOR UPDATE SKIP LOCKED.
//
//	eng, _ := pipeline.New(st, sp, partners, pipeline.Config{Owner: "host-1"})
//	sum, err := eng.Cycle(ctx) // poll → process → deliver, once
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/faultinject"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/intake"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
)

// FileProcessor turns one spooled inbound file into outcomes and queued
// outbound files, writing every row through tx: the engine commits them
// together with the file's final state, or rolls all of them back. It must
// be idempotent: a file processed before is processed again from the
// start (*Processor implements it).
type FileProcessor interface {
	ProcessTx(ctx context.Context, tx *store.Tx, f *store.InboundFile) (FileResult, error)
}

// Partner wires one trading partner's transports.
type Partner struct {
	ID     string
	Poller *intake.Poller // nil when the partner has no inbox
	Outbox *outbox.Target // nil when the partner has no outbox
}

// Forwarder moves accepted claims on to the partners that pay them
// (pipeline/forward implements it).
type Forwarder interface {
	RunOnce(ctx context.Context) (forward.Result, error)
}

// Config configures an Engine.
type Config struct {
	// Forwarder, when set, reprices, routes and forwards accepted claims
	// after processing and before delivery. Nil: claims stay accepted.
	Forwarder Forwarder
	// Owner names this engine instance in leases. Required.
	Owner string
	// Lease is how long a claimed inbound file stays leased. Default 10m.
	Lease time.Duration
	// MaxAttempts is how many times a file may fail (an error, or the
	// engine dying while it processes the file) before it is quarantined:
	// never retried automatically, reported with its reason. Default 3.
	MaxAttempts int
	// RetryBase is the wait before a file whose processing failed is
	// retried; it doubles with each attempt (with jitter), up to RetryMax.
	// Defaults 1m and 30m.
	RetryBase, RetryMax time.Duration
	// Logger receives structured logs. Default slog.Default().
	Logger *slog.Logger
}

// Engine runs poll, process and deliver.
type Engine struct {
	cfg       Config
	store     *store.Store
	spool     *spool.Spool
	partners  []Partner
	processor FileProcessor
	deliverer *outbox.Deliverer

	// Claims recorded since the planner statistics were last refreshed,
	// and the table's size then (see maybeAnalyze); analyzing is true
	// while a refresh runs in the background, analyzeDone closes when it
	// ends, and bgCtx (cancelled by Close) bounds it.
	statsMu                sync.Mutex
	sinceAnalyze, analyzed int64
	analyzing              bool
	analyzeDone            chan struct{}
	bgCtx                  context.Context
	bgCancel               context.CancelFunc

	// stream, while set, is told of every file this engine commits
	// (StreamForward).
	streamMu sync.Mutex
	stream   *ForwardStream
}

// StreamingForwarder is a Forwarder that can forward files as they are
// committed (forward.Forwarder.Stream).
type StreamingForwarder interface {
	Forwarder
	Stream(ctx context.Context, ids <-chan int64) (forward.Result, error)
}

// ForwardStream forwards the files the engine commits while it is open,
// overlapping forwarding with processing (issue #11: both cores busy).
type ForwardStream struct {
	e    *Engine
	ctx  context.Context
	ids  chan int64 // nil when not streaming: Close runs Engine.Forward
	done chan struct{}
	res  forward.Result
	err  error
	over bool // closed or abandoned
}

// StreamForward starts forwarding, on a goroutine of its own, each file
// this engine commits from now on, until Close. Close then forwards what
// is left (a RunOnce pass) and returns what was forwarded. With no
// forwarder it forwards nothing; with one that cannot stream, Close runs
// RunOnce. Only one stream is open at a time: a second call while one is
// open returns a stream that runs RunOnce at Close.
func (e *Engine) StreamForward(ctx context.Context) *ForwardStream {
	fs := &ForwardStream{e: e, ctx: ctx}
	sf, ok := e.cfg.Forwarder.(StreamingForwarder)
	if !ok {
		return fs
	}
	e.streamMu.Lock()
	defer e.streamMu.Unlock()
	if e.stream != nil {
		return fs
	}
	fs.ids, fs.done = make(chan int64, 1024), make(chan struct{})
	go func() {
		defer close(fs.done)
		fs.res, fs.err = sf.Stream(ctx, fs.ids)
	}()
	e.stream = fs
	return fs
}

// committed tells the open stream that file id was committed.
func (e *Engine) committed(id int64) {
	e.streamMu.Lock()
	defer e.streamMu.Unlock()
	if e.stream != nil {
		e.stream.ids <- id // Stream drains until Close, whatever happens
	}
}

// stop stops telling fs of committed files and waits for its forwarder
// to finish.
func (fs *ForwardStream) stop() {
	e := fs.e
	e.streamMu.Lock()
	if e.stream == fs {
		e.stream = nil
		close(fs.ids)
	}
	e.streamMu.Unlock()
	<-fs.done
}

// Close forwards what is left and returns the whole stream's result. A
// second Close returns nothing.
func (fs *ForwardStream) Close() (forward.Result, error) {
	if fs.over {
		return forward.Result{}, nil
	}
	fs.over = true
	if fs.ids == nil {
		return fs.e.Forward(fs.ctx)
	}
	fs.stop()
	return fs.res, fs.err
}

// Abandon ends a stream that is not closed (on an error path): the files
// streamed so far are forwarded; a forwarder that does not stream does
// not run.
func (fs *ForwardStream) Abandon() {
	if fs.over {
		return
	}
	fs.over = true
	if fs.ids != nil {
		fs.stop()
	}
}

// New returns an Engine.
func New(st *store.Store, sp *spool.Spool, proc FileProcessor, partners []Partner, cfg Config) (*Engine, error) {
	if cfg.Owner == "" {
		return nil, errors.New("pipeline: Owner is required")
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Minute
	}
	if cfg.RetryMax < cfg.RetryBase {
		cfg.RetryMax = max(30*time.Minute, cfg.RetryBase)
	}
	targets := map[string]outbox.Target{}
	for _, p := range partners {
		if p.Outbox != nil {
			targets[p.ID] = *p.Outbox
		}
		if err := st.UpsertPartner(context.Background(), store.Partner{ID: p.ID, Name: p.ID}); err != nil {
			return nil, fmt.Errorf("pipeline: partner %s: %w", p.ID, err)
		}
	}
	d, err := outbox.NewDeliverer(st, sp, targets, outbox.Config{Owner: cfg.Owner, Lease: cfg.Lease, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, store: st, spool: sp, partners: partners, processor: proc, deliverer: d}
	e.bgCtx, e.bgCancel = context.WithCancel(context.Background())
	return e, nil
}

// ReclaimLeases ends the inbound and outbound leases of this engine's
// earlier life (an engine restarted under the same Owner) and of dead
// engines on this host (the default owner names are host-pid): what they
// were processing or delivering is claimable at once instead of when the
// lease expires. The interrupted attempts still count towards MaxAttempts.
// The long-running and batch entry points (`run`, `cycle`) call it when
// they start; one-off commands (reprocess, roster refresh) do not, so that
// one sharing a daemon's configured instance name leaves its leases alone.
func (e *Engine) ReclaimLeases(ctx context.Context) error {
	owners, err := e.store.LeaseOwners(ctx)
	if err != nil {
		return fmt.Errorf("pipeline: reclaim leases: %w", err)
	}
	for _, o := range owners {
		if o != e.cfg.Owner && !deadLocalOwner(o) {
			continue
		}
		in, err := e.store.ReleaseInboundLeases(ctx, o)
		if err != nil {
			return fmt.Errorf("pipeline: reclaim leases: %w", err)
		}
		var out int64
		if o != e.cfg.Owner { // the Deliverer takes its own back at its first run
			if out, err = e.store.ReleaseOutboundLeases(ctx, o); err != nil {
				return fmt.Errorf("pipeline: reclaim leases: %w", err)
			}
		}
		if in+out > 0 {
			e.cfg.Logger.WarnContext(ctx, "took back files left leased by a stopped engine", slog.String("owner", o),
				slog.Int64("inbound", in), slog.Int64("outbound", out))
		}
	}
	return nil
}

// deadLocalOwner reports whether owner is a default owner name of this
// host (host-pid) whose process no longer runs.
func deadLocalOwner(owner string) bool {
	host, err := os.Hostname()
	if err != nil || !strings.HasPrefix(owner, host+"-") {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(owner, host+"-"))
	if err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	err = syscall.Kill(pid, 0)
	return errors.Is(err, syscall.ESRCH)
}

// PollResult is what one poll of every inbox did.
type PollResult struct {
	// Received counts the new files recorded; Held those of them recorded
	// held (CSV submissions waiting for the nightly run).
	Received   int `json:"received"`
	Held       int `json:"held"`
	Duplicates int `json:"duplicate_files"`
	Gone       int `json:"gone"` // taken by another engine first
	NotReady   int `json:"not_ready"`
	Refused    int `json:"refused"`
	Failed     int `json:"failed"`
	// Changed counts files replaced under the same name while they were
	// taken: left in the inbox for the next poll.
	Changed int `json:"changed"`
	// Partners are the same counts per polled partner, in polling order,
	// with the error of an inbox that could not be polled.
	Partners []PartnerPoll `json:"partners,omitempty"`
}

// PartnerPoll is the poll of one partner's inbox.
type PartnerPoll struct {
	Partner    string `json:"partner"`
	Received   int    `json:"received"`
	Held       int    `json:"held"`
	Duplicates int    `json:"duplicate_files"`
	Gone       int    `json:"gone"`
	NotReady   int    `json:"not_ready"`
	Refused    int    `json:"refused"`
	Failed     int    `json:"failed"`
	Changed    int    `json:"changed"`
	// Error is why the inbox could not be polled (or listed in full);
	// empty when it was.
	Error string `json:"error,omitempty"`
}

// Poll polls every partner inbox once. A partner whose inbox fails is
// logged and skipped; the others are still polled.
func (e *Engine) Poll(ctx context.Context) (PollResult, error) {
	var res PollResult
	var errs []error
	for _, p := range e.partners {
		if p.Poller == nil {
			continue
		}
		r, err := p.Poller.RunOnce(ctx)
		pp := PartnerPoll{Partner: p.ID, Received: len(r.Received), Duplicates: len(r.Duplicates), Gone: r.Gone,
			NotReady: r.NotReady, Refused: r.Refused, Failed: r.Failed, Changed: r.Changed}
		for _, f := range r.Received {
			if f.State == store.InboundHeld {
				pp.Held++
			}
		}
		if err != nil {
			pp.Error = err.Error()
		}
		res.Partners = append(res.Partners, pp)
		res.Received += pp.Received
		res.Held += pp.Held
		res.Duplicates += pp.Duplicates
		res.Gone += pp.Gone
		res.NotReady += pp.NotReady
		res.Refused += pp.Refused
		res.Failed += pp.Failed
		res.Changed += pp.Changed
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			e.cfg.Logger.ErrorContext(ctx, "poll failed", slog.String("partner", p.ID), slog.String("error", err.Error()))
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// ProcessPending processes every claimable inbound file, one at a time,
// until none is left, and returns their results (past the first
// detailedResults files without validation reports and outputs).
func (e *Engine) ProcessPending(ctx context.Context) ([]FileResult, error) {
	var results []FileResult
	for {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		f, err := e.store.ClaimInbound(ctx, e.cfg.Owner, e.cfg.Lease)
		if errors.Is(err, store.ErrNoWork) {
			return results, nil
		}
		if err != nil {
			return results, fmt.Errorf("pipeline: claim inbound: %w", err)
		}
		res, err := e.processOne(ctx, f)
		if errors.Is(err, store.ErrLeaseLost) {
			// Another engine took the file over (our lease expired); it
			// finishes it. Go on with the next one.
			e.cfg.Logger.WarnContext(ctx, "lease lost; another engine finishes the file", slog.Int64("inbound_id", f.ID))
			continue
		}
		if err != nil {
			return results, err
		}
		if len(results) >= detailedResults {
			// A long backlog: keep what the summary needs, not every
			// file's validation report (`clearinghouse file ID` has it).
			res.Interchanges, res.Outputs = nil, nil
		}
		results = append(results, res)
	}
}

// detailedResults is how many files' results ProcessPending returns with
// their validation reports and outputs; later ones carry state, counts
// and outcomes only, so a cycle over a large backlog stays small.
const detailedResults = 200

// processOne processes a claimed file and records its final state. The
// file's results and its final state are committed in one transaction; a
// failure rolls all of it back and leaves the file to be retried (with
// backoff) or, after MaxAttempts, quarantined. A graceful shutdown gives
// the lease back.
func (e *Engine) processOne(ctx context.Context, f *store.InboundFile) (FileResult, error) {
	log := e.cfg.Logger.With(slog.Int64("inbound_id", f.ID), slog.String("partner", f.PartnerID))
	if f.Attempts > e.cfg.MaxAttempts {
		// The earlier attempts died with the engine (or failed): do not
		// try a file that may kill the engine again.
		reason := fmt.Sprintf("quarantined: the engine stopped or failed while processing this file %d times", f.Attempts-1)
		if f.Error != "" {
			reason += "; last error: " + f.Error
		}
		return e.quarantine(ctx, f, reason, log)
	}
	// Keep the lease while a large file is processed; if it is lost,
	// processing stops (another engine has the file).
	pctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(e.cfg.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := e.store.RenewInbound(pctx, f.ID, e.cfg.Owner, e.cfg.Lease); err != nil {
					if errors.Is(err, store.ErrLeaseLost) {
						cancel(fmt.Errorf("renew lease: %w", err))
						return
					}
					if pctx.Err() != nil {
						return
					}
					log.WarnContext(ctx, "lease renewal failed", slog.String("error", err.Error()))
				}
			}
		}
	}()
	var res FileResult
	err := e.store.InTx(pctx, func(tx *store.Tx) error {
		if err := tx.LockPartnerInbound(pctx, f.PartnerID); err != nil {
			return err
		}
		var err error
		if res, err = e.processor.ProcessTx(pctx, tx, f); err != nil {
			return err
		}
		faultinject.Hit("process.settled")
		return tx.FinishInbound(pctx, f.ID, e.cfg.Owner, res.InboundResult())
	})
	close(done)
	cause := context.Cause(pctx)
	cancel(nil)
	if err == nil {
		faultinject.Hit("process.committed")
		e.committed(f.ID)
		e.maybeAnalyze(int64(res.Counts.ClaimsAccepted+res.Counts.ClaimsRejected), log)
		log.InfoContext(ctx, "file processed", slog.String("state", string(res.State)),
			slog.Int("sets_accepted", res.Counts.TxAccepted), slog.Int("sets_rejected", res.Counts.TxRejected),
			slog.Int("claims_accepted", res.Counts.ClaimsAccepted), slog.Int("claims_rejected", res.Counts.ClaimsRejected))
		return res, nil
	}
	if errors.Is(err, store.ErrLeaseLost) || cause != nil && errors.Is(cause, store.ErrLeaseLost) {
		return res, fmt.Errorf("pipeline: file %d: %w", f.ID, store.ErrLeaseLost)
	}
	res = FileResult{InboundID: f.ID, Partner: f.PartnerID, Name: f.Name, SHA256: f.SHA256}
	if ctx.Err() != nil {
		// Shutting down: give the file back, untouched, for the next start.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer rcancel()
		if rerr := e.store.ReleaseInbound(rctx, f.ID, e.cfg.Owner); rerr != nil {
			log.WarnContext(ctx, "processing abandoned at shutdown; lease not released", slog.String("error", rerr.Error()))
		} else {
			log.WarnContext(ctx, "processing abandoned at shutdown; file released")
		}
		return res, ctx.Err()
	}
	// Nothing of the attempt was kept. Bad input never gets here (it is
	// answered with TA1/999/277CA codes), so this is the database, the
	// disk or a bug: retry after a while, and give up after MaxAttempts.
	if f.Attempts >= e.cfg.MaxAttempts {
		return e.quarantine(ctx, f, fmt.Sprintf("quarantined after %d failed attempts; last error: %v", f.Attempts, err), log)
	}
	wait := backoff(e.cfg.RetryBase, e.cfg.RetryMax, f.Attempts)
	log.ErrorContext(ctx, "processing failed; file will be retried", slog.String("error", err.Error()),
		slog.Int("attempt", f.Attempts), slog.Duration("retry_in", wait))
	res.State, res.Error = store.InboundRetrying, err.Error()
	if rerr := e.store.RetryInbound(ctx, f.ID, e.cfg.Owner, err.Error(), e.store.Now().Add(wait)); rerr != nil {
		return res, fmt.Errorf("pipeline: file %d failed (%v) and could not be marked for retry: %w", f.ID, err, rerr)
	}
	return res, nil
}

// maybeAnalyze refreshes the planner statistics once the claims recorded
// since the last refresh reach 10 000 and a tenth of the table (the rule
// autovacuum applies, for a database where it is off or lags behind a
// nightly load), so that the portal's and the operators' queries keep
// their indexed plans. The refresh runs on a goroutine and a connection
// of its own, while the next file is processed (it samples the whole
// table: about a second at 1 M claims, which processing does not need,
// since its lookups' plans do not depend on statistics); while one runs,
// the claims recorded meanwhile count towards the next. Close stops it.
func (e *Engine) maybeAnalyze(claims int64, log *slog.Logger) {
	e.statsMu.Lock()
	defer e.statsMu.Unlock()
	e.sinceAnalyze += claims
	if e.analyzing || e.sinceAnalyze < 10_000 || e.sinceAnalyze < e.analyzed/10 {
		return
	}
	e.sinceAnalyze = 0
	e.analyzing = true
	done := make(chan struct{})
	e.analyzeDone = done
	go func() {
		defer close(done)
		n, err := e.store.Analyze(e.bgCtx)
		e.statsMu.Lock()
		defer e.statsMu.Unlock()
		e.analyzing = false
		if err != nil {
			if e.bgCtx.Err() == nil {
				log.WarnContext(e.bgCtx, "planner statistics not refreshed", slog.String("error", err.Error()))
			}
			return
		}
		e.analyzed = n
	}()
}

// Close stops the engine's background work (a statistics refresh under
// way is cancelled) and waits for it. Call it before closing the store;
// the engine is not used after.
func (e *Engine) Close() {
	e.bgCancel()
	e.statsMu.Lock()
	done := e.analyzeDone
	e.statsMu.Unlock()
	if done != nil {
		<-done
	}
}

// quarantine finishes f as quarantined with reason.
func (e *Engine) quarantine(ctx context.Context, f *store.InboundFile, reason string, log *slog.Logger) (FileResult, error) {
	res := FileResult{InboundID: f.ID, Partner: f.PartnerID, Name: f.Name, SHA256: f.SHA256, State: store.InboundQuarantined, Error: reason}
	log.ErrorContext(ctx, "file quarantined; it is not retried automatically (clearinghouse reprocess)", slog.String("reason", reason))
	if err := e.store.FinishInbound(ctx, f.ID, e.cfg.Owner, res.InboundResult()); err != nil {
		return res, fmt.Errorf("pipeline: quarantine inbound %d: %w", f.ID, err)
	}
	return res, nil
}

// backoff is the wait before retry n (1-based): base·2^(n-1), capped at
// limit, less up to a quarter at random so engines do not retry in step.
func backoff(base, limit time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d - time.Duration(rand.Int64N(int64(d)/4+1))
}

// Deliver delivers every queued outbound file once.
func (e *Engine) Deliver(ctx context.Context) (outbox.Result, error) {
	return e.deliverer.RunOnce(ctx)
}

// CycleResult summarises one Cycle.
type CycleResult struct {
	Poll      PollResult           `json:"poll"`
	Files     []FileResult         `json:"files"`
	Forwarded forward.Result       `json:"forwarded"`
	Delivered []store.OutboundFile `json:"delivered"`
	Failed    int                  `json:"delivery_failures"`
	// Unprocessed counts the files left retrying or quarantined.
	Unprocessed int `json:"files_unprocessed"`
	// FailedFiles are the files whose delivery failed (retried later).
	FailedFiles []store.OutboundFile `json:"failed_deliveries,omitempty"`
	// DeliveryPartners is the delivery state of every partner after the
	// run (circuit breaker, consecutive failures, next retry).
	DeliveryPartners []outbox.PartnerResult `json:"delivery_partners,omitempty"`
}

// ErrUnprocessed is returned (joined) by Cycle when files could not be
// processed: they are retrying or quarantined (see `clearinghouse files`).
var ErrUnprocessed = errors.New("pipeline: files could not be processed")

// Cycle polls, processes and delivers once.
func (e *Engine) Cycle(ctx context.Context) (CycleResult, error) {
	var res CycleResult
	var errs []error
	pr, err := e.Poll(ctx)
	res.Poll = pr
	if err != nil {
		if ctx.Err() != nil {
			return res, err
		}
		errs = append(errs, err)
	}
	stream := e.StreamForward(ctx)
	files, err := e.ProcessPending(ctx)
	res.Files = files
	if err != nil {
		// What was committed before the failure is forwarded (a streaming
		// forwarder is already at it); nothing else is.
		stream.Abandon()
		return res, errors.Join(append(errs, err)...)
	}
	for _, f := range files {
		if f.State == store.InboundRetrying || f.State == store.InboundQuarantined || f.State == store.InboundFailed {
			res.Unprocessed++
		}
	}
	if res.Unprocessed > 0 {
		errs = append(errs, fmt.Errorf("%w: %d file(s)", ErrUnprocessed, res.Unprocessed))
	}
	if e.cfg.Forwarder != nil {
		fr, err := stream.Close()
		res.Forwarded = fr
		if err != nil {
			if ctx.Err() != nil {
				return res, err
			}
			errs = append(errs, fmt.Errorf("forward: %w", err))
		}
	}
	dr, err := e.Deliver(ctx)
	res.Delivered, res.Failed, res.FailedFiles, res.DeliveryPartners = dr.Delivered, len(dr.Failed), dr.Failed, dr.Partners
	if err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// ProcessFile claims and processes one inbound file (received, or left
// processing by a crashed engine whose lease expired).
func (e *Engine) ProcessFile(ctx context.Context, id int64) (FileResult, error) {
	f, err := e.store.ClaimInboundID(ctx, id, e.cfg.Owner, e.cfg.Lease)
	if err != nil {
		return FileResult{}, fmt.Errorf("pipeline: claim inbound %d: %w", id, err)
	}
	return e.processOne(ctx, f)
}

// Forward runs the forwarding stage once (nothing when none is configured).
func (e *Engine) Forward(ctx context.Context) (forward.Result, error) {
	if e.cfg.Forwarder == nil {
		return forward.Result{}, nil
	}
	return e.cfg.Forwarder.RunOnce(ctx)
}
