// Package outbox queues outbound files (acknowledgments, 277CAs, forwarded
// claims) durably and delivers each to its partner exactly once.
//
// Enqueue spools the bytes and records the file under a name that is
// unique per partner; enqueueing the same name again is a no-op. Deliver
// claims queued files with a lease, uploads each under a temporary name and
// renames it into place (transport.Remote.Put), then marks it delivered. A
// crash between upload and the mark leaves the lease to expire; the retry
// renames the same bytes over the same name, so the partner still sees one
// file.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/transport"
)

// Enqueue stores data in the spool and queues it for delivery to partner
// as name. It returns the queued row and whether it was new.
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
	Remote transport.Remote
	Dir    string // directory on the remote, default "."
}

// Config configures a Deliverer.
type Config struct {
	// Owner names this engine instance in leases. Required.
	Owner string
	// Lease is how long a file is leased while it is delivered. Default 5m.
	Lease time.Duration
	// RetryAfter is the wait before a failed delivery is retried.
	// Default 1m.
	RetryAfter time.Duration
	// Logger receives structured logs. Default slog.Default().
	Logger *slog.Logger
	RenewEvery time.Duration
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
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Deliverer{cfg: cfg, store: st, spool: sp, targets: targets}, nil
}

// Result counts what one RunOnce delivered.
type Result struct {
	Delivered []store.OutboundFile
	Failed    int
	LeaseLost int
}

// RunOnce delivers every claimable queued file once.
func (d *Deliverer) RunOnce(ctx context.Context) (Result, error) {
	var res Result
	for partner, t := range d.targets {
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
			if err := d.deliver(ctx, t, f); err != nil {
				res.Failed++
				d.cfg.Logger.ErrorContext(ctx, "delivery failed", slog.String("partner", partner), slog.Int64("outbound_id", f.ID), slog.String("name", f.Name), slog.String("error", err.Error()))
				if merr := d.store.MarkOutboundFailed(ctx, f.ID, d.cfg.Owner, err.Error(), time.Now().Add(d.cfg.RetryAfter)); merr != nil {
					return res, merr
				}
				continue
			}
			if err := d.store.MarkDelivered(ctx, f.ID, d.cfg.Owner); err != nil {
				return res, fmt.Errorf("outbox: mark delivered: %w", err)
			}
			f.State = store.OutboundDelivered
			res.Delivered = append(res.Delivered, *f)
			d.cfg.Logger.InfoContext(ctx, "file delivered", slog.String("partner", partner), slog.Int64("outbound_id", f.ID), slog.String("kind", f.Kind), slog.String("name", f.Name))
			_ = d.store.Audit(ctx, store.AuditEntry{Actor: "outbox", Action: "outbound.delivered", Entity: "outbound_file", EntityID: fmt.Sprint(f.ID), Detail: partner + ": " + f.Name})
		}
	}
	return res, nil
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
	return t.Remote.Put(ctx, dir, f.Name, r)
}
