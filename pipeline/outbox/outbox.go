package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// Owner names this engine instance in leases. Required.
	Owner string
	// Lease is how long a file is leased while it is delivered. Default 5m.
	Lease time.Duration
	// RenewEvery is how often the lease is renewed while an upload runs,
	// so that a slow upload is not taken over (and written concurrently)
	// by another engine. Default (and whenever it is not below Lease)
	// Lease/3.
	RenewEvery time.Duration
	// RetryAfter is the wait before a failed delivery is retried.
	// Default 1m.
	RetryAfter time.Duration
	// Logger receives structured logs. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock for retry times; give it the store's clock.
	// Default time.Now.
	Now func() time.Time
}

// Deliverer delivers queued files to partners.
type Deliverer struct {
	cfg     Config
	store   *store.Store
	spool   *spool.Spool
	targets map[string]Target
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
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Deliverer{cfg: cfg, store: st, spool: sp, targets: targets}, nil
}

// Result counts what one RunOnce delivered.
type Result struct {
	// Delivered are the files delivered and marked so.
	Delivered []store.OutboundFile
	// Failed are the files whose delivery attempt failed, as claimed for
	// the attempt (retried after RetryAfter).
	Failed []store.OutboundFile
	// LeaseLost counts files another engine took over while this one
	// delivered them (its lease had expired); that engine finishes them.
	LeaseLost int
}

// RunOnce delivers every claimable queued file once.
func (d *Deliverer) RunOnce(ctx context.Context) (Result, error) {
	var res Result
	for partner, t := range d.targets {
		log := d.cfg.Logger.With(slog.String("partner", partner))
		for {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			f, err := d.store.ClaimOutbound(ctx, d.cfg.Owner, d.cfg.Lease, partner)
			if errors.Is(err, store.ErrNoWork) {
				break
			}
			if err != nil {
				return res, fmt.Errorf("outbox: claim: %w", err)
			}
			log := log.With(slog.Int64("outbound_id", f.ID), slog.String("name", f.Name))
			err = d.deliverLeased(ctx, t, f)
			if err != nil && ctx.Err() != nil {
				// Shutting down: the lease expires and another attempt
				// puts the same bytes under the same name.
				return res, ctx.Err()
			}
			if errors.Is(err, store.ErrLeaseLost) {
				res.LeaseLost++
				log.WarnContext(ctx, "delivery lease taken over by another engine; it delivers the file")
				continue
			}
			if err != nil {
				res.Failed = append(res.Failed, *f)
				log.ErrorContext(ctx, "delivery failed", slog.String("error", err.Error()))
				merr := d.store.MarkOutboundFailed(ctx, f.ID, d.cfg.Owner, err.Error(), d.cfg.Now().Add(d.cfg.RetryAfter))
				if errors.Is(merr, store.ErrLeaseLost) {
					res.LeaseLost++
					log.WarnContext(ctx, "delivery lease taken over by another engine; it delivers the file")
					continue
				}
				if merr != nil {
					return res, fmt.Errorf("outbox: mark failed: %w", merr)
				}
				continue
			}
			err = d.store.MarkDelivered(ctx, f.ID, d.cfg.Owner)
			if errors.Is(err, store.ErrLeaseLost) {
				// The file is in place; the engine that took the lease over
				// puts the same bytes under the same name and marks it.
				res.LeaseLost++
				log.WarnContext(ctx, "delivered, but the lease was taken over by another engine; it marks the file")
				continue
			}
			if err != nil {
				return res, fmt.Errorf("outbox: mark delivered: %w", err)
			}
			f.State = store.OutboundDelivered
			res.Delivered = append(res.Delivered, *f)
			log.InfoContext(ctx, "file delivered", slog.String("kind", f.Kind))
			_ = d.store.Audit(ctx, store.AuditEntry{Actor: "outbox", Action: "outbound.delivered", Entity: "outbound_file", EntityID: fmt.Sprint(f.ID), Detail: partner + ": " + f.Name})
		}
	}
	return res, nil
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
	if err := t.Remote.MkdirAll(ctx, dir); err != nil {
		return err
	}
	r, err := d.spool.Open(f.SpoolPath)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := t.Remote.Put(ctx, dir, f.Name, r); err != nil {
		return err
	}
	faultinject.Hit("outbox.put")
	return nil
}
