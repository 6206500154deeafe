// Package spool keeps raw file bytes on local disk, durably and addressed
// by content: inbound files as they were downloaded (never modified, never
// lost) and outbound files until they are delivered.
//
//	sp, _ := spool.New("/var/lib/clearinghouse/spool")
//	f, _ := sp.Put(ctx, "inbound", r) // fsynced; f.Path, f.SHA256, f.Size
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
)

// Spool is a directory of content-addressed files.
type Spool struct {
	dir string
}

// File describes a spooled file.
type File struct {
	Path   string // absolute path of the stored bytes
	SHA256 string // lowercase hex digest
	Size   int64
}

// dirMode is the mode of the folders the spool creates; its files are
// created 0600 (os.CreateTemp). Only the engine's user reads PHI.
const dirMode = 0o700

// New returns a spool rooted at dir, creating it when needed.
func New(dir string) (*Spool, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
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
	return &Spool{dir: abs}, nil
}

// Dir returns the spool's root directory.
func (s *Spool) Dir() string { return s.dir }

// Put copies r into the spool under area (e.g. "inbound", "outbound"): it
// writes a temporary file, fsyncs it, and renames it to
// area/<sha[:2]>/<sha256> (so equal content is stored once), then fsyncs
// the directory. The copy is durable when Put returns.
func (s *Spool) Put(ctx context.Context, area string, r io.Reader) (File, error) {
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

// Open opens a spooled file for reading. Paths outside the spool are
// refused.
func (s *Spool) Open(path string) (*os.File, error) {
	rel, err := filepath.Rel(s.dir, path)
	if err != nil || !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("spool: %q is outside the spool", path)
	}
	return os.Open(path)
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
