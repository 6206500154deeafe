package spool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// openBlob opens blob id of the PostgreSQL store.
func (s *Spool) openBlob(ctx context.Context, ref string, id int64) (Reader, error) {
	if s.db == nil {
		return nil, fmt.Errorf("spool: %s is kept in PostgreSQL, and the store is not PostgreSQL", ref)
	}
	b, head, err := s.db.GetSpoolBlobHead(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("spool: %s: %w", ref, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if !b.Complete() {
		return nil, fmt.Errorf("spool: %s was never finished: %w", ref, fs.ErrNotExist)
	}
	r := &blobReader{ctx: ctx, db: s.db, ref: ref, id: id, size: *b.Size, chunk: int64(b.ChunkSize), seq: -1}
	if head != nil {
		if int64(len(head)) != r.size {
			return nil, fmt.Errorf("spool: %s: chunk 0 holds %d bytes, want %d", ref, len(head), r.size)
		}
		r.seq, r.buf = 0, head // a one-chunk blob, read with the blob's row
	}
	return r, nil
}

// blobReader reads a finished blob one chunk at a time: it holds the last
// chunk it fetched, so sequential reads fetch each chunk once.
type blobReader struct {
	ctx   context.Context
	db    *store.Store
	ref   string
	id    int64
	size  int64
	chunk int64

	mu     sync.Mutex // guards what follows: ReadAt may be called concurrently
	pos    int64      // of Read and Seek
	seq    int64      // chunk held in buf; -1: none
	buf    []byte
	closed bool
}

// load makes buf hold chunk seq. Caller holds mu.
func (r *blobReader) load(seq int64) error {
	if r.closed {
		return os.ErrClosed
	}
	if seq == r.seq {
		return nil
	}
	want := min(r.chunk, r.size-seq*r.chunk)
	data, err := r.db.SpoolChunk(r.ctx, r.id, int(seq))
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("spool: %s: chunk %d of %d bytes missing", r.ref, seq, want)
	}
	if err != nil {
		return fmt.Errorf("spool: read %s: %w", r.ref, err)
	}
	if int64(len(data)) != want {
		return fmt.Errorf("spool: %s: chunk %d holds %d bytes, want %d", r.ref, seq, len(data), want)
	}
	r.seq, r.buf = seq, data
	return nil
}

// readAt copies from offset off into p, up to the end of the chunk that
// holds off. Caller holds mu.
func (r *blobReader) readAt(p []byte, off int64) (int, error) {
	if r.closed {
		return 0, os.ErrClosed
	}
	if off >= r.size {
		return 0, io.EOF
	}
	seq := off / r.chunk
	if err := r.load(seq); err != nil {
		return 0, err
	}
	return copy(p, r.buf[off-seq*r.chunk:]), nil
}

func (r *blobReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	n, err := r.readAt(p, r.pos)
	r.pos += int64(n)
	return n, err
}

// ReadAt reads len(p) bytes at off (fewer, with io.EOF, at the end).
func (r *blobReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("spool: read %s: negative offset %d", r.ref, off)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for n < len(p) {
		m, err := r.readAt(p[n:], off+int64(n))
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (r *blobReader) Seek(offset int64, whence int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return 0, os.ErrClosed
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, fmt.Errorf("spool: seek %s: bad whence %d", r.ref, whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("spool: seek %s: negative position %d", r.ref, offset)
	}
	r.pos = offset
	return offset, nil
}

// Close releases the chunk held; reads after it fail with os.ErrClosed.
func (r *blobReader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return os.ErrClosed
	}
	r.closed, r.buf = true, nil
	return nil
}
