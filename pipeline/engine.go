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
	"time"

	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
	"github.com/clearinghouse/clearinghouse/pipeline/intake"
	"github.com/clearinghouse/clearinghouse/pipeline/outbox"
)

// FileProcessor turns one spooled inbound file into outcomes and queued
// outbound files. It must be idempotent: a file whose processing was cut
// short is processed again from the start.
type FileProcessor interface {
	Process(ctx context.Context, f *store.InboundFile) (FileResult, error)
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
	targets := map[string]outbox.Target{}
	for _, p := range partners {
		if p.Outbox != nil {
			targets[p.ID] = *p.Outbox
		}
		if err := st.UpsertPartner(context.Background(), store.Partner{ID: p.ID, Name: p.ID}); err != nil {
			return nil, fmt.Errorf("pipeline: partner %s: %w", p.ID, err)
		}
	}
	d, err := outbox.NewDeliverer(st, sp, targets, outbox.Config{Owner: cfg.Owner, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, store: st, spool: sp, partners: partners, processor: proc, deliverer: d}, nil
}

// PollResult is what one poll of every inbox did.
type PollResult struct {
	Received   int `json:"received"`
	Duplicates int `json:"duplicate_files"`
	Gone       int `json:"gone"` // taken by another engine first
	NotReady   int `json:"not_ready"`
	Refused    int `json:"refused"`
	Failed     int `json:"failed"`
	// Partners are the same counts per polled partner, in polling order,
	// with the error of an inbox that could not be polled.
	Partners []PartnerPoll `json:"partners,omitempty"`
}

// PartnerPoll is the poll of one partner's inbox.
type PartnerPoll struct {
	Partner    string `json:"partner"`
	Received   int    `json:"received"`
	Duplicates int    `json:"duplicate_files"`
	Gone       int    `json:"gone"`
	NotReady   int    `json:"not_ready"`
	Refused    int    `json:"refused"`
	Failed     int    `json:"failed"`
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
			NotReady: r.NotReady, Refused: r.Refused, Failed: r.Failed}
		if err != nil {
			pp.Error = err.Error()
		}
		res.Partners = append(res.Partners, pp)
		res.Received += pp.Received
		res.Duplicates += pp.Duplicates
		res.Gone += pp.Gone
		res.NotReady += pp.NotReady
		res.Refused += pp.Refused
		res.Failed += pp.Failed
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
// until none is left, and returns their results.
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
		results = append(results, res)
	}
}

// processOne processes a claimed file and records its final state.
func (e *Engine) processOne(ctx context.Context, f *store.InboundFile) (FileResult, error) {
	log := e.cfg.Logger.With(slog.Int64("inbound_id", f.ID), slog.String("partner", f.PartnerID))
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
				if err := e.store.RenewInbound(ctx, f.ID, e.cfg.Owner, e.cfg.Lease); err != nil {
					cancel(fmt.Errorf("renew lease: %w", err))
					return
				}
			}
		}
	}()
	res, err := e.processor.Process(pctx, f)
	close(done)
	if cause := context.Cause(pctx); err != nil && cause != nil && errors.Is(cause, store.ErrLeaseLost) {
		cancel(nil)
		return res, cause
	}
	cancel(nil)
	if err != nil {
		if ctx.Err() != nil {
			// Shutting down: leave the lease to expire; the file is
			// processed again from the start.
			log.WarnContext(ctx, "processing abandoned at shutdown")
			return res, ctx.Err()
		}
		log.ErrorContext(ctx, "processing failed", slog.String("error", err.Error()))
		res.State = store.InboundFailed
		res.Error = err.Error()
	}
	if ferr := e.store.FinishInbound(ctx, f.ID, e.cfg.Owner, res.InboundResult()); ferr != nil {
		return res, fmt.Errorf("pipeline: finish inbound %d: %w", f.ID, ferr)
	}
	log.InfoContext(ctx, "file processed", slog.String("state", string(res.State)),
		slog.Int("sets_accepted", res.Counts.TxAccepted), slog.Int("sets_rejected", res.Counts.TxRejected),
		slog.Int("claims_accepted", res.Counts.ClaimsAccepted), slog.Int("claims_rejected", res.Counts.ClaimsRejected))
	return res, nil
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
	// FailedFiles are the files whose delivery failed (retried later).
	FailedFiles []store.OutboundFile `json:"failed_deliveries,omitempty"`
}

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
	files, err := e.ProcessPending(ctx)
	res.Files = files
	if err != nil {
		return res, errors.Join(append(errs, err)...)
	}
	if e.cfg.Forwarder != nil {
		fr, err := e.cfg.Forwarder.RunOnce(ctx)
		res.Forwarded = fr
		if err != nil {
			if ctx.Err() != nil {
				return res, err
			}
			errs = append(errs, fmt.Errorf("forward: %w", err))
		}
	}
	dr, err := e.Deliver(ctx)
	res.Delivered, res.Failed, res.FailedFiles = dr.Delivered, len(dr.Failed), dr.Failed
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
