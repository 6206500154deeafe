// Package spool keeps raw file bytes durably: inbound files as they were
// downloaded (never modified, never lost) and outbound files until they
// are delivered. It has two backends:
//
//   - dir: content-addressed files under a local directory (the default
//     with SQLite, and with PostgreSQL when configured `spool: dir`);
//   - postgres: chunked blobs in the PostgreSQL store (tables spool_blobs
//     and spool_chunks, the default with PostgreSQL), so that engines on
//     different hosts share nothing but the database.
//
// Content is written in a streaming way while it is hashed and read back
// one chunk at a time: memory does not grow with the file. A stored
// file's reference ([File].Path, kept in the store's spool_path columns)
// is its absolute path in the directory, or "pg:<id>" for a blob; every
// spool reads both, so rows written before a change of backend keep
// working.
//
//	sp, _ := spool.New("/var/lib/clearinghouse/spool")
//	f, _ := sp.Put(ctx, "inbound", r) // durable; f.Path, f.SHA256, f.Size
//	rd, _ := sp.OpenContext(ctx, f.Path)
//
// Content is stored before the transaction that references it (an inbound
// or outbound row); a crash in between leaves an unreferenced copy, which
// is harmless. In the directory it is content-addressed (a retry stores
// the same file again); in PostgreSQL it is garbage that [Spool.Collect]
// removes after a grace period.
package spool

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Backend names, for [Config].Backend and the configuration key spool.
const (
	BackendDir      = "dir"
	BackendPostgres = "postgres"
)

// DefaultChunkSize is the size of a PostgreSQL blob's chunks.
const DefaultChunkSize = 1 << 20

// Config configures [NewConfig].
type Config struct {
	// Dir is the spool directory: where the dir backend writes, and
	// where path references are read. Required.
	Dir string
	// Backend is BackendDir or BackendPostgres; "" means BackendPostgres
	// when Store is a PostgreSQL store, else BackendDir.
	Backend string
	// Store is the engine's store. On PostgreSQL it reads "pg:<id>"
	// references whatever the backend, and holds new content with
	// BackendPostgres.
	Store *store.Store
	// ChunkSize is the chunk size of new PostgreSQL blobs. Default
	// DefaultChunkSize.
	ChunkSize int
}

// Spool stores and reads spooled files. It is safe for concurrent use.
type Spool struct {
	dir string
	db  *store.Store // reads pg: references; nil without PostgreSQL
	// w writes new blobs: db's asynchronous-commit pool. Spooled content
	// counts once a row refers to it, and that row's ordinary commit
	// flushes the blob's earlier WAL too: the blob needs no fsync of its
	// own (a server crash before it leaves an orphan, which gc removes).
	w     *store.Queries
	inDB  bool // new content goes to db
	chunk int
	bufs  sync.Pool // *[]byte of chunk bytes, for Put into db
}

// File describes a spooled file.
type File struct {
	// Path is the file's reference, kept in the store's spool_path
	// columns: the absolute path of the bytes in the spool directory, or
	// "pg:<id>" for content kept in PostgreSQL.
	Path   string
	SHA256 string // lowercase hex digest
	Size   int64
}

// Reader reads one spooled file: sequentially (one chunk in memory at a
// time for a PostgreSQL blob) or at any offset.
type Reader interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
}

// dirMode is the mode of the folders the spool creates; its files are
// created 0600 (os.CreateTemp). Only the engine's user reads PHI.
const dirMode = 0o700

// New returns a spool rooted at dir (the dir backend), creating it when
// needed.
func New(dir string) (*Spool, error) {
	return NewConfig(Config{Dir: dir, Backend: BackendDir})
}

// NewConfig returns the spool cfg describes. The directory is created
// (and closed to other users) when it is the backend; with
// BackendPostgres it is only read, for references to it.
func NewConfig(cfg Config) (*Spool, error) {
	abs, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	pg := cfg.Store != nil && cfg.Store.Dialect() == store.DialectPostgres
	s := &Spool{dir: abs, chunk: cfg.ChunkSize}
	if pg {
		s.db = cfg.Store
		if s.w, err = cfg.Store.AsyncCommit(); err != nil {
			return nil, err
		}
	}
	if s.chunk == 0 {
		s.chunk = DefaultChunkSize
	}
	if s.chunk < 0 {
		return nil, fmt.Errorf("spool: negative chunk size %d", s.chunk)
	}
	switch cfg.Backend {
	case "":
		s.inDB = pg
	case BackendDir:
	case BackendPostgres:
		if !pg {
			return nil, errors.New("spool: the postgres backend needs a PostgreSQL store")
		}
		s.inDB = true
	default:
		return nil, fmt.Errorf("spool: backend must be %s or %s, not %q", BackendDir, BackendPostgres, cfg.Backend)
	}
	s.bufs.New = func() any { b := make([]byte, s.chunk); return &b }
	if s.inDB {
		return s, nil
	}
	if err := os.MkdirAll(abs, dirMode); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	// The spool holds PHI: a root left open to other users by an earlier
	// version (or by hand) is closed to them, which also guards the
	// folders and files under it.
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if m := fi.Mode().Perm(); m&0o007 != 0 {
		if err := os.Chmod(abs, m&^0o007); err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
	}
	return s, nil
}

// Dir returns the spool's root directory.
func (s *Spool) Dir() string { return s.dir }

// Backend returns where new content goes: BackendDir or BackendPostgres.
func (s *Spool) Backend() string {
	if s.inDB {
		return BackendPostgres
	}
	return BackendDir
}

// Put copies r into the spool under area (e.g. "inbound", "outbound"),
// hashing it on the way, and returns once the copy is durable.
//
// In the directory it writes a temporary file, fsyncs it, and renames it
// to area/<sha[:2]>/<sha256> (so equal content is stored once), then
// fsyncs the directory. In PostgreSQL it writes a new blob chunk by chunk,
// each chunk committed on its own (no transaction stays open while r is
// read), and finishes it with its size and digest; content that fits one
// chunk takes one statement. A failed Put removes its partial blob.
func (s *Spool) Put(ctx context.Context, area string, r io.Reader) (File, error) {
	if s.inDB {
		return s.putBlob(ctx, area, r)
	}
	tmpDir := filepath.Join(s.dir, "tmp")
	if err := os.MkdirAll(tmpDir, dirMode); err != nil {
		return File{}, fmt.Errorf("spool: %w", err)
	}
	tmp, err := os.CreateTemp(tmpDir, "put-*")
	if err != nil {
		return File{}, fmt.Errorf("spool: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("spool: write: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dir := filepath.Join(s.dir, area, sum[:2])
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return File{}, fmt.Errorf("spool: %w", err)
	}
	final := filepath.Join(dir, sum)
	if err := os.Rename(tmp.Name(), final); err != nil {
		return File{}, fmt.Errorf("spool: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return File{}, fmt.Errorf("spool: %w", err)
	}
	return File{Path: final, SHA256: sum, Size: n}, nil
}

// PutBytes stores b like Put.
func (s *Spool) PutBytes(ctx context.Context, area string, b []byte) (File, error) {
	return s.Put(ctx, area, byteReader(b))
}

// putBlob is Put into PostgreSQL.
func (s *Spool) putBlob(ctx context.Context, area string, r io.Reader) (File, error) {
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	buf := *bp
	h := sha256.New()
	cr := ctxReader{ctx, r}
	n, err := io.ReadFull(cr, buf)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		h.Write(buf[:n])
		sum := hex.EncodeToString(h.Sum(nil))
		id, err := s.w.CreateSmallSpoolBlob(ctx, area, s.chunk, buf[:n], sum)
		if err != nil {
			return File{}, fmt.Errorf("spool: write: %w", err)
		}
		return File{Path: store.SpoolBlobRef(id), SHA256: sum, Size: int64(n)}, nil
	}
	if err != nil {
		return File{}, fmt.Errorf("spool: write: %w", err)
	}
	id, err := s.w.CreateSpoolBlob(ctx, area, s.chunk)
	if err != nil {
		return File{}, fmt.Errorf("spool: write: %w", err)
	}
	var size int64
	for seq := 0; n > 0; seq++ {
		h.Write(buf[:n])
		if err = s.w.PutSpoolChunk(ctx, id, seq, buf[:n]); err != nil {
			break
		}
		size += int64(n)
		n, err = io.ReadFull(cr, buf)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = nil
		} else if err != nil {
			break
		}
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err == nil {
		err = s.w.FinishSpoolBlob(ctx, id, size, sum)
	}
	if err != nil {
		// Best effort: what is left is garbage Collect removes anyway.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = s.db.DeleteSpoolBlob(dctx, id)
		return File{}, fmt.Errorf("spool: write: %w", err)
	}
	return File{Path: store.SpoolBlobRef(id), SHA256: sum, Size: size}, nil
}

// Open opens a spooled file for reading, like OpenContext with a context
// that is never cancelled.
func (s *Spool) Open(ref string) (Reader, error) {
	return s.OpenContext(context.Background(), ref)
}

// OpenContext opens the spooled file ref refers to (a [File].Path) for
// reading; a blob's chunks are fetched with ctx as they are read. Paths
// outside the spool directory are refused. A file that does not exist
// (or a blob never finished) is an error matching fs.ErrNotExist.
func (s *Spool) OpenContext(ctx context.Context, ref string) (Reader, error) {
	if id, ok := store.ParseSpoolBlobRef(ref); ok {
		return s.openBlob(ctx, ref, id)
	}
	rel, err := filepath.Rel(s.dir, ref)
	if err != nil || !filepath.IsAbs(ref) || !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("spool: %q is outside the spool", ref)
	}
	return os.Open(ref)
}

// Collect removes the PostgreSQL blobs no inbound or outbound row
// references that are older than grace (the longest a blob may wait for
// the transaction that references it: a download, a file's processing),
// and returns how many it removed. The dir backend keeps no such garbage
// (a retry rewrites the same content-addressed file): without a
// PostgreSQL store Collect does nothing.
func (s *Spool) Collect(ctx context.Context, grace time.Duration) (int64, error) {
	if s.db == nil {
		return 0, nil
	}
	if grace < 0 {
		return 0, fmt.Errorf("spool: negative grace period %s", grace)
	}
	const batch = 100
	before := s.db.Now().Add(-grace)
	var total int64
	for {
		n, err := s.db.DeleteOrphanSpoolBlobs(ctx, before, batch)
		total += n
		if err != nil {
			return total, fmt.Errorf("spool: collect: %w", err)
		}
		if n < batch {
			return total, nil
		}
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

type bytesReader struct {
	b []byte
}

func byteReader(b []byte) io.Reader { return &bytesReader{b} }

func (r *bytesReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// HeadReader passes reads through and keeps the first bytes read (up to
// the limit given to NewHeadReader): a file's head, taken while it is
// spooled instead of read again (intake and the portal decide from it
// whether to hold a file).
type HeadReader struct {
	r    io.Reader
	head []byte
}

// NewHeadReader keeps the first n bytes read from r.
func NewHeadReader(r io.Reader, n int) *HeadReader {
	return &HeadReader{r: r, head: make([]byte, 0, n)}
}

func (h *HeadReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if room := cap(h.head) - len(h.head); room > 0 && n > 0 {
		h.head = append(h.head, p[:min(n, room)]...)
	}
	return n, err
}

// Bytes returns the bytes kept.
func (h *HeadReader) Bytes() []byte { return h.head }
