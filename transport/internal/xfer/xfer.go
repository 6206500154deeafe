package xfer

import (
	"context"
	"errors"
	"io"
	"time"
)

// FileInfo describes one regular file returned by Remote.List.
type FileInfo struct {
	// Name is the base name of the file, exactly as stored on the remote side.
	Name string
	// Size is the length in bytes.
	Size int64
	// ModTime is the modification time reported by the remote side.
	ModTime time.Time
}

// Remote is a file store reached over some transport (local directory, SFTP).
// All paths are slash-separated and relative to the store's base directory;
// see CleanPath for the accepted forms. Errors for missing files match
// fs.ErrNotExist, and unsafe names match ErrUnsafeName.
type Remote interface {
	// List returns the regular files directly inside dir, sorted by name.
	// Directories, symbolic links and hidden names (leading ".", which
	// includes in-progress Put temp files) are left out.
	List(ctx context.Context, dir string) ([]FileInfo, error)
	// Open opens the file at path for reading. The caller closes it.
	Open(ctx context.Context, path string) (io.ReadCloser, error)
	// Stat describes the regular file at path (not following a symbolic
	// link), with Name its base name. A missing file gives an error
	// matching fs.ErrNotExist.
	Stat(ctx context.Context, path string) (FileInfo, error)
	// Put stores r as dir/name atomically: it writes a temp file in dir
	// (TempName(name)), then renames it over dir/name, replacing any existing
	// file. A retry after a crash yields exactly one final file.
	Put(ctx context.Context, dir, name string, r io.Reader) error
	// Rename moves from to to, replacing an existing target where the
	// transport supports it (POSIX rename).
	Rename(ctx context.Context, from, to string) error
	// Remove deletes the file at path.
	Remove(ctx context.Context, path string) error
	// MkdirAll creates dir and any missing parents.
	MkdirAll(ctx context.Context, dir string) error
	// Close releases the connection or handles held by the Remote.
	Close() error
}

// ErrClosed is returned by every method of a Remote after Close.
var ErrClosed = errors.New("transport: remote closed")
