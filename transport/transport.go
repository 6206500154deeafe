package transport

import (
	"context"

	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
)

// FileInfo describes one regular file returned by Remote.List: Name (base
// name as stored), Size in bytes and ModTime.
type FileInfo = xfer.FileInfo

// Remote is the file store the pipeline polls and delivers to: a local
// directory (transport/dir) or an SFTP account (transport/sftp).
//
// Paths are slash-separated and relative to the Remote's base directory (see
// CleanPath); "" or "." is the base itself. Missing files give errors that
// match fs.ErrNotExist, refused names give ErrUnsafeName, and every method
// after Close gives ErrClosed.
//
//   - List(ctx, dir) returns the regular files in dir sorted by name, leaving
//     out directories, symbolic links and hidden names (leading "."), which
//     hides Put's temp files.
//   - Open(ctx, path) opens a file for reading.
//   - Stat(ctx, path) describes a regular file (size, modification time),
//     as List would.
//   - Put(ctx, dir, name, r) stores r atomically as dir/name: it writes
//     dir/.name.part, then renames it over dir/name. A retry after a crash
//     yields exactly one final file. Two concurrent Puts of the same dir/name
//     are not supported.
//   - Rename(ctx, from, to) moves a file, replacing an existing target where
//     the transport supports it (always for dir; for SFTP when the server has
//     posix-rename@openssh.com, as OpenSSH does).
//   - Remove(ctx, path) deletes a file.
//   - MkdirAll(ctx, dir) creates dir and missing parents.
//   - Close() releases the connection; it is safe to call twice.
type Remote = xfer.Remote

// NameError is returned by CleanName and CleanPath (and so by every Remote
// method) for a refused name. It wraps ErrUnsafeName; use errors.As to read
// the Name and Reason.
type NameError = xfer.NameError

// ErrUnsafeName is wrapped by every *NameError.
var ErrUnsafeName = xfer.ErrUnsafeName

// ErrClosed is returned by the methods of a closed Remote.
var ErrClosed = xfer.ErrClosed

// MaxNameLen is the longest file name CleanName accepts, in bytes (255 minus
// the ".", ".part" that TempName adds).
const MaxNameLen = xfer.MaxNameLen

// CleanName validates a remote file name (no directory part) and returns it
// unchanged. It refuses path traversal ("..", "/", "\", absolute paths),
// NUL and other control characters, invalid UTF-8, the empty name, ".",
// hidden and temp names (leading "."), and names over MaxNameLen bytes. The
// error is a *NameError wrapping ErrUnsafeName. Use it on every name that
// came from a partner before it becomes a local or remote path.
func CleanName(name string) (string, error) { return xfer.CleanName(name) }

// CleanPath validates a slash-separated path relative to a Remote's base and
// returns it cleaned ("a//b/" gives "a/b"; "" gives "."). It refuses absolute
// paths, "\", ".." elements and control characters, with a *NameError.
func CleanPath(p string) (string, error) { return xfer.CleanPath(p) }

// TempName returns the hidden name Put writes before renaming to name:
// ".name.part".
func TempName(name string) string { return xfer.TempName(name) }

// Hasher is implemented by a Remote that can compute the SHA-256 of one of
// its files cheaply (transport/dir: a local read; not SFTP, where it means
// downloading the file again). SHA256 returns the lowercase hex digest.
type Hasher interface {
	SHA256(ctx context.Context, path string) (string, error)
}
