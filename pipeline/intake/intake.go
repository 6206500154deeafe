// Package intake polls a partner's inbox and turns remote files into
// durable, recorded inbound files, exactly once.
//
// For every listed file RunOnce: refuses unsafe names; skips files that may
// still be written (size or modification time changed since the previous
// listing, or younger than MinAge); downloads to the spool (fsynced,
// sha256); records the file in the store (unique per partner and content);
// and only then moves the remote file to the archive folder. A crash at any
// point leaves either the remote file in the inbox (it is downloaded again,
// recognised by its digest and archived without a second row) or an
// archived file with its row: never a lost or doubled file.
//
//	p := intake.New(remote, st, sp, intake.Config{PartnerID: "acme", Inbox: "inbox", Archive: "archive"})
//	res, err := p.RunOnce(ctx)
package intake

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sync"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/transport"
)

// Config configures a Poller.
type Config struct {
	// PartnerID is the partner whose inbox this is. Required.
	PartnerID string
	// Inbox is the directory to poll on the remote. Default ".".
	Inbox string
	// Archive is the directory polled files are moved to. Default
	// "archive".
	Archive string
	// MinAge is how old (by modification time) a file must be before it is
	// taken. Default 0.
	MinAge time.Duration
	// SettleTime is the pause between the two listings RunOnce compares to
	// detect files still being written. A file seen by an earlier RunOnce
	// of the same Poller with the same size and time needs no second
	// listing. Default 2s; 0 takes files on first sight (then MinAge is
	// the only guard).
	SettleTime time.Duration
	// Logger receives structured logs. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

func (c *Config) fill() error {
	if c.PartnerID == "" {
		return errors.New("intake: PartnerID is required")
	}
	if c.Inbox == "" {
		c.Inbox = "."
	}
	if c.Archive == "" {
		c.Archive = "archive"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return nil
}

// Poller polls one inbox.
type Poller struct {
	cfg    Config
	remote transport.Remote
	store  *store.Store
	spool  *spool.Spool

	mu   sync.Mutex
	seen map[string]transport.FileInfo // previous listing
}

// New returns a Poller for the inbox of one partner on remote.
func New(remote transport.Remote, st *store.Store, sp *spool.Spool, cfg Config) (*Poller, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Poller{cfg: cfg, remote: remote, store: st, spool: sp, seen: map[string]transport.FileInfo{}}, nil
}

// Result is what one RunOnce did.
type Result struct {
	Listed     int                 // files listed in the inbox
	Received   []store.InboundFile // new files recorded
	Duplicates []store.InboundFile // files whose content was already recorded (archived, not processed again)
	NotReady   int                 // files possibly still being written
	Refused    int                 // unsafe names
	Failed     int                 // files that failed (left in the inbox for the next poll)
}

// RunOnce polls the inbox once.
func (p *Poller) RunOnce(ctx context.Context) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var res Result
	list, err := p.remote.List(ctx, p.cfg.Inbox)
	if err != nil {
		return res, fmt.Errorf("intake %s: list: %w", p.cfg.PartnerID, err)
	}
	res.Listed = len(list)
	stable := map[string]bool{}
	for _, f := range list {
		if prev, ok := p.seen[f.Name]; ok && prev.Size == f.Size && prev.ModTime.Equal(f.ModTime) {
			stable[f.Name] = true
		}
	}
	if p.cfg.SettleTime > 0 && len(stable) < len(list) {
		select {
		case <-time.After(p.cfg.SettleTime):
		case <-ctx.Done():
			return res, ctx.Err()
		}
		again, err := p.remote.List(ctx, p.cfg.Inbox)
		if err != nil {
			return res, fmt.Errorf("intake %s: list: %w", p.cfg.PartnerID, err)
		}
		before := map[string]transport.FileInfo{}
		for _, f := range list {
			before[f.Name] = f
		}
		for _, f := range again {
			if b, ok := before[f.Name]; ok && b.Size == f.Size && b.ModTime.Equal(f.ModTime) {
				stable[f.Name] = true
			}
		}
		list = again
	} else if p.cfg.SettleTime == 0 {
		for _, f := range list {
			stable[f.Name] = true
		}
	}
	p.seen = map[string]transport.FileInfo{}
	for _, f := range list {
		p.seen[f.Name] = f
	}
	now := p.cfg.Now()
	for _, f := range list {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		log := p.cfg.Logger.With(slog.String("partner", p.cfg.PartnerID))
		if _, err := transport.CleanName(f.Name); err != nil {
			res.Refused++
			log.WarnContext(ctx, "refusing unsafe remote file name", slog.String("error", err.Error()))
			p.audit(ctx, "intake.refused", "", fmt.Sprintf("unsafe name %q", f.Name))
			continue
		}
		if !stable[f.Name] || (p.cfg.MinAge > 0 && now.Sub(f.ModTime) < p.cfg.MinAge) {
			res.NotReady++
			continue
		}
		rec, created, err := p.take(ctx, f)
		if err != nil {
			res.Failed++
			log.ErrorContext(ctx, "intake failed; file left in inbox", slog.String("file", f.Name), slog.String("error", err.Error()))
			continue
		}
		if created {
			res.Received = append(res.Received, *rec)
			log.InfoContext(ctx, "file received", slog.String("file", f.Name), slog.Int64("inbound_id", rec.ID), slog.Int64("size", rec.Size), slog.String("sha256", rec.SHA256))
		} else {
			res.Duplicates = append(res.Duplicates, *rec)
			log.WarnContext(ctx, "duplicate file content; archived, not processed again", slog.String("file", f.Name), slog.Int64("inbound_id", rec.ID))
		}
	}
	return res, nil
}

// take downloads, records and archives one file.
func (p *Poller) take(ctx context.Context, f transport.FileInfo) (*store.InboundFile, bool, error) {
	remotePath := path.Join(p.cfg.Inbox, f.Name)
	rc, err := p.remote.Open(ctx, remotePath)
	if err != nil {
		return nil, false, fmt.Errorf("open: %w", err)
	}
	sf, err := p.spool.Put(ctx, "inbound", rc)
	rc.Close()
	if err != nil {
		return nil, false, err
	}
	if sf.Size != f.Size {
		return nil, false, fmt.Errorf("size changed during download (%d listed, %d read): still being written", f.Size, sf.Size)
	}
	rec, created, err := p.store.RecordInbound(ctx, store.InboundFile{
		PartnerID:  p.cfg.PartnerID,
		Name:       f.Name,
		RemotePath: remotePath,
		SHA256:     sf.SHA256,
		Size:       sf.Size,
		SpoolPath:  sf.Path,
	})
	if err != nil {
		return nil, false, fmt.Errorf("record: %w", err)
	}
	action := "intake.received"
	if !created {
		action = "intake.duplicate"
	}
	p.audit(ctx, action, fmt.Sprint(rec.ID), fmt.Sprintf("name=%s sha256=%s", f.Name, sf.SHA256))
	// When archiving fails the file stays recorded; the next poll finds the
	// same content, gets the existing row and archives it then.
	_ = p.archive(ctx, f.Name, sf.SHA256)
	return rec, created, nil
}

// archive moves the remote file to the archive folder under a name that is
// the same on every retry.
func (p *Poller) archive(ctx context.Context, name, sum string) error {
	if err := p.remote.MkdirAll(ctx, p.cfg.Archive); err != nil {
		return err
	}
	to := path.Join(p.cfg.Archive, sum[:12]+"-"+name)
	err := p.remote.Rename(ctx, path.Join(p.cfg.Inbox, name), to)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // another engine archived it first
	}
	if err != nil {
		p.cfg.Logger.WarnContext(ctx, "archive failed; will retry on next poll", slog.String("partner", p.cfg.PartnerID), slog.String("file", name), slog.String("error", err.Error()))
	}
	return err
}

func (p *Poller) audit(ctx context.Context, action, id, detail string) {
	_ = p.store.Audit(ctx, store.AuditEntry{Actor: "intake", Action: action, Entity: "inbound_file", EntityID: id, Detail: p.cfg.PartnerID + ": " + detail})
}
