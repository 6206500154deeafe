package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/clearinghouse/clearinghouse/internal/faultinject"
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
	// detect files still being written (a couple of seconds suits partners
	// that write in place). A file seen by an earlier RunOnce of the same
	// Poller with the same size and time needs no second listing. Zero,
	// the default, takes files on first sight: then MinAge is the only
	// guard, which suits partners that upload under a temporary name.
	SettleTime time.Duration
	// Hold, when set, is asked about each new file with its name and
	// first HoldHead bytes (all of a shorter file): true records the file
	// held (store.InboundHeld), to be processed when released — CSV
	// submissions wait for the nightly run this way. Nil: every file is
	// recorded received.
	Hold func(name string, head []byte) bool
	// Logger receives structured logs. Default slog.Default().
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// HoldHead is how many leading bytes of a file Config.Hold sees.
const HoldHead = 4096

func (c *Config) fill() error {
	if c.PartnerID == "" {
		return errors.New("intake: PartnerID is required")
	}
	if c.MinAge < 0 || c.SettleTime < 0 {
		return fmt.Errorf("intake: negative MinAge %s or SettleTime %s", c.MinAge, c.SettleTime)
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

// Poller polls one inbox. It is safe for concurrent use; RunOnce calls
// are serialised.
type Poller struct {
	cfg    Config
	remote transport.Remote
	store  *store.Store
	spool  *spool.Spool

	mu      sync.Mutex
	seen    map[string]transport.FileInfo // previous listing
	refused map[string]bool               // unsafe names already reported
}

// New returns a Poller for the inbox of one partner on remote.
func New(remote transport.Remote, st *store.Store, sp *spool.Spool, cfg Config) (*Poller, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Poller{cfg: cfg, remote: remote, store: st, spool: sp,
		seen: map[string]transport.FileInfo{}, refused: map[string]bool{}}, nil
}

// Result is what one RunOnce did.
type Result struct {
	Listed     int                 // files listed in the inbox
	Received   []store.InboundFile // new files recorded
	Duplicates []store.InboundFile // files whose content was already recorded (archived, not processed again)
	NotReady   int                 // files possibly still being written
	Refused    int                 // unsafe names, left in place
	Gone       int                 // files that vanished before they were read (taken by another engine)
	Failed     int                 // files that failed (left in the inbox for the next poll)
	// Changed counts files replaced under the same name between listing
	// and archiving: the bytes downloaded were recorded (in Received or
	// Duplicates), and the new file was left in the inbox for the next
	// poll instead of being archived unread.
	Changed int
}

// errStillWriting is returned by take when the file changed size while it
// was downloaded.
var errStillWriting = errors.New("size changed during download")

// RunOnce polls the inbox once.
func (p *Poller) RunOnce(ctx context.Context) (Result, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var res Result
	list, stable, err := p.listStable(ctx)
	if err != nil {
		return res, err
	}
	res.Listed = len(list)
	log := p.cfg.Logger.With(slog.String("partner", p.cfg.PartnerID))
	p.refuseUnsafe(ctx, log, list)
	now := p.cfg.Now()
	for _, f := range list {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if p.refused[f.Name] {
			res.Refused++
			continue
		}
		if !stable[f.Name] || (p.cfg.MinAge > 0 && now.Sub(f.ModTime) < p.cfg.MinAge) {
			res.NotReady++
			continue
		}
		log := log.With(transport.NameAttr(f.Name))
		rec, created, changed, err := p.take(ctx, log, f)
		switch {
		case err != nil && ctx.Err() != nil:
			return res, ctx.Err()
		case errors.Is(err, fs.ErrNotExist):
			// Listed, then gone before we opened it: another engine
			// polling the same inbox archived it.
			res.Gone++
			log.DebugContext(ctx, "file gone before download; taken by another engine")
			continue
		case errors.Is(err, errStillWriting):
			res.NotReady++
			log.InfoContext(ctx, "file changed during download; retried on the next poll")
			continue
		case err != nil:
			res.Failed++
			log.ErrorContext(ctx, "intake failed; file left in inbox", slog.String("error", transport.RedactName(err.Error(), f.Name)))
			continue
		}
		log = log.With(slog.Int64("inbound_id", rec.ID))
		if created {
			res.Received = append(res.Received, *rec)
			log.InfoContext(ctx, "file received", slog.Int64("size", rec.Size), slog.String("sha256", rec.SHA256))
		} else {
			res.Duplicates = append(res.Duplicates, *rec)
			log.WarnContext(ctx, "duplicate file content; archived, not processed again")
		}
		if changed {
			res.Changed++
			log.WarnContext(ctx, "file changed during intake; the new file is left in the inbox for the next poll")
		}
	}
	return res, nil
}

// listStable lists the inbox and reports which files are stable: listed
// with the same size and modification time twice, SettleTime apart (or by
// the previous RunOnce and again now, which needs no second listing).
func (p *Poller) listStable(ctx context.Context) ([]transport.FileInfo, map[string]bool, error) {
	list, err := p.remote.List(ctx, p.cfg.Inbox)
	if err != nil {
		return nil, nil, fmt.Errorf("intake %s: list: %w", p.cfg.PartnerID, err)
	}
	stable := map[string]bool{}
	switch {
	case p.cfg.SettleTime == 0:
		for _, f := range list {
			stable[f.Name] = true
		}
	default:
		for _, f := range list {
			if prev, ok := p.seen[f.Name]; ok && sameFile(prev, f) {
				stable[f.Name] = true
			}
		}
		if len(stable) == len(list) {
			break
		}
		t := time.NewTimer(p.cfg.SettleTime)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, nil, ctx.Err()
		}
		again, err := p.remote.List(ctx, p.cfg.Inbox)
		if err != nil {
			return nil, nil, fmt.Errorf("intake %s: list: %w", p.cfg.PartnerID, err)
		}
		// Only the two listings of this call decide: a file that matched
		// the previous RunOnce but changed during the pause is being
		// written again.
		before := make(map[string]transport.FileInfo, len(list))
		for _, f := range list {
			before[f.Name] = f
		}
		stable = make(map[string]bool, len(again))
		for _, f := range again {
			if b, ok := before[f.Name]; ok && sameFile(b, f) {
				stable[f.Name] = true
			}
		}
		list = again
	}
	p.seen = make(map[string]transport.FileInfo, len(list))
	for _, f := range list {
		p.seen[f.Name] = f
	}
	return list, stable, nil
}

func sameFile(a, b transport.FileInfo) bool {
	return a.Size == b.Size && a.ModTime.Equal(b.ModTime)
}

// refuseUnsafe marks the listed names that fail transport.CleanName. Each
// is logged and audited once while it stays in the inbox, by reason and
// digest only: a name can carry PHI (a member's name, say) or control
// characters that forge log lines.
func (p *Poller) refuseUnsafe(ctx context.Context, log *slog.Logger, list []transport.FileInfo) {
	listed := make(map[string]bool, len(list))
	for _, f := range list {
		listed[f.Name] = true
		if p.refused[f.Name] {
			continue
		}
		_, err := transport.CleanName(f.Name)
		if err == nil {
			continue
		}
		p.refused[f.Name] = true
		reason := "unsafe name"
		var ne *transport.NameError
		if errors.As(err, &ne) {
			reason = ne.Reason
		}
		digest := nameDigest(f.Name)
		log.WarnContext(ctx, "refusing unsafe remote file name; left in the inbox",
			slog.String("reason", reason), slog.String("name_sha256", digest), slog.Int("name_len", len(f.Name)))
		p.audit(ctx, "intake.refused", "", fmt.Sprintf("unsafe name (%s), name_sha256=%s", reason, digest))
	}
	for name := range p.refused {
		if !listed[name] {
			delete(p.refused, name) // removed by an operator; report it again if it comes back
		}
	}
}

// nameDigest identifies a refused name in logs without showing it: the
// first 16 hex digits of its SHA-256 (an operator finds the file with
// sha256sum over the inbox listing).
func nameDigest(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:8])
}

// take downloads, records and archives one file. changed reports that the
// file at the inbox path is no longer the one downloaded (it was replaced
// under the same name): the downloaded bytes are recorded, the new file is
// left in the inbox for the next poll.
func (p *Poller) take(ctx context.Context, log *slog.Logger, f transport.FileInfo) (rec *store.InboundFile, created, changed bool, err error) {
	remotePath := path.Join(p.cfg.Inbox, f.Name)
	rc, err := p.remote.Open(ctx, remotePath)
	if err != nil {
		return nil, false, false, fmt.Errorf("open: %w", err)
	}
	var src io.Reader = rc
	var head *spool.HeadReader
	if p.cfg.Hold != nil {
		head = spool.NewHeadReader(rc, HoldHead)
		src = head
	}
	sf, err := p.spool.Put(ctx, "inbound", src)
	rc.Close()
	if err != nil {
		return nil, false, false, err
	}
	if sf.Size != f.Size {
		return nil, false, false, fmt.Errorf("%w (%d listed, %d read): still being written", errStillWriting, f.Size, sf.Size)
	}
	faultinject.Hit("intake.spooled")
	in := store.InboundFile{
		PartnerID:  p.cfg.PartnerID,
		Name:       f.Name,
		RemotePath: remotePath,
		SHA256:     sf.SHA256,
		Size:       sf.Size,
		SpoolPath:  sf.Path,
	}
	if head != nil && p.cfg.Hold(f.Name, head.Bytes()) {
		in.State = store.InboundHeld
	}
	rec, created, err = p.store.RecordInbound(ctx, in)
	if err != nil {
		return nil, false, false, fmt.Errorf("record: %w", err)
	}
	faultinject.Hit("intake.recorded")
	action := "intake.received"
	if !created {
		action = "intake.duplicate"
	}
	p.audit(ctx, action, fmt.Sprint(rec.ID), fmt.Sprintf("name=%s sha256=%s state=%s", f.Name, sf.SHA256, rec.State))
	// When archiving fails the file stays recorded; the next poll finds the
	// same content, gets the existing row and archives it then.
	changed, _ = p.archive(ctx, log, f, sf.SHA256)
	return rec, created, changed, nil
}

// unchanged reports whether the file at the inbox path is still the one
// listed as f and downloaded with digest sum: same size and modification
// time on a fresh stat, and the same digest when the transport hashes
// cheaply (a local directory). gone reports that it is not there any more
// (another engine archived it).
func (p *Poller) unchanged(ctx context.Context, f transport.FileInfo, sum string) (same, gone bool, err error) {
	from := path.Join(p.cfg.Inbox, f.Name)
	now, err := p.remote.Stat(ctx, from)
	if errors.Is(err, fs.ErrNotExist) {
		return false, true, nil
	}
	if err != nil {
		return false, false, err
	}
	if !sameFile(now, f) {
		return false, false, nil
	}
	if h, ok := p.remote.(transport.Hasher); ok {
		got, err := h.SHA256(ctx, from)
		if errors.Is(err, fs.ErrNotExist) {
			return false, true, nil
		}
		if err != nil {
			return false, false, err
		}
		return got == sum, false, nil
	}
	return true, false, nil
}

// archive moves the remote file to the archive folder under a name that is
// the same on every retry, if it is still the file downloaded (listed as f,
// digest sum); changed reports that it was not, and was left in place.
// Between the check and the rename a window of one round trip remains, in
// which a replacement is archived unread; the check closes the window of
// the whole download and record.
func (p *Poller) archive(ctx context.Context, log *slog.Logger, f transport.FileInfo, sum string) (changed bool, err error) {
	warn := func(err error) {
		log.WarnContext(ctx, "archive failed; will retry on next poll", slog.String("error", transport.RedactName(err.Error(), f.Name)))
	}
	same, gone, err := p.unchanged(ctx, f, sum)
	switch {
	case err != nil:
		warn(err)
		return false, err
	case gone:
		return false, nil // another engine archived it first
	case !same:
		return true, nil
	}
	if err := p.remote.MkdirAll(ctx, p.cfg.Archive); err != nil {
		warn(err)
		return false, err
	}
	to := path.Join(p.cfg.Archive, ArchiveName(f.Name, sum))
	err = p.remote.Rename(ctx, path.Join(p.cfg.Inbox, f.Name), to)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil // another engine archived it first
	}
	if err != nil {
		warn(err)
	}
	return false, err
}

// ArchiveName is the name a polled file gets in the archive folder: the
// first 12 hex digits of its SHA-256, "-" and its name, cut (at a UTF-8
// boundary) to at most transport.MaxNameLen bytes so that every name
// CleanName accepts can be archived. The same file always gets the same
// name, so an archive step retried after a crash replaces its own copy.
func ArchiveName(name, sum string) string {
	prefix := sum
	if len(prefix) > 12 {
		prefix = prefix[:12]
	}
	s := prefix + "-" + name
	if len(s) <= transport.MaxNameLen {
		return s
	}
	s = s[:transport.MaxNameLen]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

func (p *Poller) audit(ctx context.Context, action, id, detail string) {
	_ = p.store.Audit(ctx, store.AuditEntry{Actor: "intake", Action: action, Entity: "inbound_file", EntityID: id, Detail: p.cfg.PartnerID + ": " + detail})
}
