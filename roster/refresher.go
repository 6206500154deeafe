package roster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/transport"
)

// FileInfo describes one file listed by a Source. It has the same fields
// (and underlying type) as transport.FileInfo.
type FileInfo struct {
	// Name is the base name of the file.
	Name string
	// Size is the length in bytes.
	Size int64
	// ModTime is the modification time reported by the source.
	ModTime time.Time
}

// Source is the directory-like place roster files are pulled from: the
// subset of transport.Remote the Refresher needs, with paths
// slash-separated and relative to the source's root. Wrap a
// transport.Remote with AdaptRemote.
type Source interface {
	// List returns the regular files directly inside dir, sorted by name.
	List(ctx context.Context, dir string) ([]FileInfo, error)
	// Open opens the file at path for reading. The caller closes it.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// Rename moves from to to.
	Rename(ctx context.Context, from, to string) error
}

// RemoteFileInfo is satisfied by any struct with exactly FileInfo's fields,
// such as transport.FileInfo.
type RemoteFileInfo interface {
	~struct {
		Name    string
		Size    int64
		ModTime time.Time
	}
}

// Remote is a Source whose List returns its own FileInfo type F, as
// transport.Remote does.
type Remote[F RemoteFileInfo] interface {
	List(ctx context.Context, dir string) ([]F, error)
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	Rename(ctx context.Context, from, to string) error
}

// AdaptRemote returns r (a transport.Remote, say) as a Source:
//
//	src := roster.AdaptRemote[transport.FileInfo](remote)
func AdaptRemote[F RemoteFileInfo](r Remote[F]) Source {
	return remoteSource[F]{r}
}

type remoteSource[F RemoteFileInfo] struct{ r Remote[F] }

func (s remoteSource[F]) List(ctx context.Context, dir string) ([]FileInfo, error) {
	fs, err := s.r.List(ctx, dir)
	if err != nil {
		return nil, err
	}
	out := make([]FileInfo, len(fs))
	for i, f := range fs {
		out[i] = FileInfo(f)
	}
	return out, nil
}

func (s remoteSource[F]) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	return s.r.Open(ctx, p)
}

func (s remoteSource[F]) Rename(ctx context.Context, from, to string) error {
	return s.r.Rename(ctx, from, to)
}

// RefresherConfig configures a Refresher. The zero value of every field is
// a usable default.
type RefresherConfig struct {
	// Dir is the directory polled for roster files. Default ".".
	Dir string
	// Archive is where imported (and already-imported) files are moved,
	// as <Archive>/<first 16 hex digits of the sha256>_<name>. Default
	// "archive".
	Archive string
	// MinAge is how old (by ModTime) a file must be before it is taken,
	// so a file still being uploaded is left for the next run. Default 0.
	MinAge time.Duration
	// CSV are the import options of *.csv files (Source and SHA256 are set
	// per file).
	CSV Opts
	// X12 are the import options of *.834, *.x12 and *.edi files.
	X12 Opts
	// Checker, when set, has its cache purged after an import that changed
	// the roster.
	Checker *Checker
	// Logger receives one line per file (name hash, sha256, counts; never
	// member data). Default slog.Default().
	Logger *slog.Logger
	// Now is the clock for MinAge. Default time.Now.
	Now func() time.Time
}

// Refresher imports new roster files from a Source, each once, and
// archives them. Schedule RunOnce (e.g. with internal/schedule); a run
// never overlaps another on the same Refresher.
type Refresher struct {
	src   Source
	store *store.Store
	cfg   RefresherConfig
	mu    sync.Mutex
}

// NewRefresher returns a Refresher pulling from src into st.
func NewRefresher(src Source, st *store.Store, cfg RefresherConfig) (*Refresher, error) {
	if src == nil || st == nil {
		return nil, errors.New("roster: NewRefresher: nil source or store")
	}
	if cfg.MinAge < 0 {
		return nil, fmt.Errorf("roster: NewRefresher: negative MinAge %s", cfg.MinAge)
	}
	if cfg.Dir == "" {
		cfg.Dir = "."
	}
	if cfg.Archive == "" {
		cfg.Archive = "archive"
	}
	if path.Clean(cfg.Dir) == path.Clean(cfg.Archive) {
		return nil, errors.New("roster: NewRefresher: Archive must differ from Dir")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Refresher{src: src, store: st, cfg: cfg}, nil
}

// FileResult is what RunOnce did with one roster file.
type FileResult struct {
	// Name is the file's base name.
	Name string
	// SHA256 is the content digest ("" when the file could not be read).
	SHA256 string
	// Result is the import result (Duplicate when imported before).
	Result ImportResult
	// Archived reports that the file was moved to the archive.
	Archived bool
	// Err is why the file was not imported or not archived; such a file
	// stays in Dir and is tried again on the next run.
	Err error
}

// RefreshResult is what one RunOnce did.
type RefreshResult struct {
	// Listed is the number of files in Dir.
	Listed int
	// Skipped counts files without a roster extension or younger than
	// MinAge.
	Skipped int
	// Imported counts files applied now; Duplicates files whose content
	// was applied before; Failed files left in Dir because of an error.
	Imported, Duplicates, Failed int
	// Files has one entry per roster file considered, in name order.
	Files []FileResult
}

// format returns the import format of a file name, or "".
func format(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		return store.RosterCSV
	case ".834", ".x12", ".edi":
		return store.Roster834
	}
	return ""
}

// RunOnce lists Dir and, for each roster file (*.csv, *.834, *.x12,
// *.edi) in name order: hashes it; imports it unless its digest is
// already recorded; then moves it to the archive. A crash between import
// and archive leaves the file in Dir; the next run recognises its digest
// and only archives it. A file that fails stays in Dir and is reported in
// its FileResult; RunOnce itself fails only when Dir cannot be listed or
// ctx ends.
func (r *Refresher) RunOnce(ctx context.Context) (RefreshResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var res RefreshResult
	list, err := r.src.List(ctx, r.cfg.Dir)
	if err != nil {
		return res, fmt.Errorf("roster refresh: list: %w", err)
	}
	res.Listed = len(list)
	now := r.cfg.Now()
	for _, f := range list {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		kind := format(f.Name)
		if kind == "" || (r.cfg.MinAge > 0 && now.Sub(f.ModTime) < r.cfg.MinAge) {
			res.Skipped++
			continue
		}
		fr := r.one(ctx, f.Name, kind)
		switch {
		case fr.Err != nil:
			res.Failed++
			r.cfg.Logger.LogAttrs(ctx, slog.LevelError, "roster file failed",
				transport.NameAttr(f.Name), slog.String("sha256", fr.SHA256), slog.String("error", transport.RedactName(fr.Err.Error(), f.Name)))
		case fr.Result.Duplicate:
			res.Duplicates++
			r.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "roster file already imported",
				transport.NameAttr(f.Name), slog.String("sha256", fr.SHA256), slog.Int64("import_id", fr.Result.ImportID))
		default:
			res.Imported++
			ir := fr.Result
			r.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "roster file imported",
				transport.NameAttr(f.Name), slog.String("sha256", fr.SHA256), slog.Int64("import_id", ir.ImportID),
				slog.Int("records", ir.Records), slog.Int("added", ir.Added), slog.Int("changed", ir.Changed),
				slog.Int("termed", ir.Termed), slog.Int("reinstated", ir.Reinstated),
				slog.Int("absent_termed", ir.AbsentTermed), slog.Int("errors", len(ir.Errors)))
		}
		if !fr.Result.Duplicate && fr.Result.ImportID != 0 && r.cfg.Checker != nil {
			r.cfg.Checker.Purge()
		}
		res.Files = append(res.Files, fr)
	}
	return res, nil
}

// one imports and archives one file.
func (r *Refresher) one(ctx context.Context, name, kind string) FileResult {
	fr := FileResult{Name: name}
	p := path.Join(r.cfg.Dir, name)
	sum, err := r.hash(ctx, p)
	if err != nil {
		fr.Err = fmt.Errorf("hash %s: %w", name, err)
		return fr
	}
	fr.SHA256 = sum
	if prev, err := r.store.GetRosterImport(ctx, sum); err == nil {
		fr.Result = ImportResult{Format: kind, ImportID: prev.ID, SHA256: sum, Duplicate: true}
	} else if !errors.Is(err, store.ErrNotFound) {
		fr.Err = fmt.Errorf("check %s: %w", name, err)
		return fr
	} else {
		opts := r.cfg.X12
		importFn := Import834
		if kind == store.RosterCSV {
			opts, importFn = r.cfg.CSV, ImportCSV
		}
		opts.Source, opts.SHA256 = name, sum
		rc, err := r.src.Open(ctx, p)
		if err != nil {
			fr.Err = fmt.Errorf("open %s: %w", name, err)
			return fr
		}
		fr.Result, err = importFn(ctx, r.store, rc, opts)
		rc.Close()
		if err != nil {
			fr.Err = fmt.Errorf("import %s: %w", name, err)
			return fr
		}
	}
	to := path.Join(r.cfg.Archive, sum[:16]+"_"+name)
	if err := r.src.Rename(ctx, p, to); err != nil {
		fr.Err = fmt.Errorf("archive %s: %w", name, err)
		return fr
	}
	fr.Archived = true
	return fr
}

// hash returns the hex SHA-256 of the file at p.
func (r *Refresher) hash(ctx context.Context, p string) (string, error) {
	rc, err := r.src.Open(ctx, p)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
