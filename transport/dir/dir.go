package dir

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
)

// Modes of the files Put writes and the directories MkdirAll creates
// (before the umask): the files carry PHI, so nobody but the owner and its
// group (a partner's SFTP account, say) may read them.
const (
	FileMode os.FileMode = 0o640
	DirMode  os.FileMode = 0o750
)

// Remote is a transport.Remote over a local directory tree. It is safe for
// concurrent use, except that two concurrent Puts of the same dir/name share
// one temp file and must not overlap.
type Remote struct {
	base string

	mu   sync.RWMutex
	root *os.Root // nil after Close
}

var _ xfer.Remote = (*Remote)(nil)

// New opens the existing directory base as the root of a Remote. Every path
// given to the Remote is resolved inside base through an os.Root, so neither
// ".." nor a symbolic link can reach a file outside it.
func New(base string) (*Remote, error) {
	fi, err := os.Stat(base)
	if err != nil {
		return nil, fmt.Errorf("dir remote: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("dir remote: %s is not a directory", base)
	}
	root, err := os.OpenRoot(base)
	if err != nil {
		return nil, fmt.Errorf("dir remote: %w", err)
	}
	return &Remote{base: base, root: root}, nil
}

// Base returns the directory the Remote was opened on.
func (r *Remote) Base() string { return r.base }

// List implements transport.Remote.
func (r *Remote) List(ctx context.Context, dir string) ([]xfer.FileInfo, error) {
	d, err := xfer.CleanPath(dir)
	if err != nil {
		return nil, err
	}
	var out []xfer.FileInfo
	err = r.with(ctx, func(root *os.Root) error {
		f, err := root.Open(d)
		if err != nil {
			return err
		}
		defer f.Close()
		entries, err := f.ReadDir(-1)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || xfer.IsHidden(e.Name()) {
				continue
			}
			fi, err := e.Info()
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed since ReadDir
			}
			if err != nil {
				return err
			}
			out = append(out, xfer.FileInfo{Name: e.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", d, err)
	}
	slices.SortFunc(out, func(a, b xfer.FileInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Open implements transport.Remote. The returned reader is an *os.File.
func (r *Remote) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	fp, err := xfer.CleanFilePath(p)
	if err != nil {
		return nil, err
	}
	var f *os.File
	err = r.with(ctx, func(root *os.Root) error {
		f, err = root.Open(fp)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		if err == nil && !fi.Mode().IsRegular() {
			err = fmt.Errorf("not a regular file")
		}
		if err != nil {
			f.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", fp, err)
	}
	return f, nil
}

// Stat implements transport.Remote.
func (r *Remote) Stat(ctx context.Context, p string) (xfer.FileInfo, error) {
	fp, err := xfer.CleanFilePath(p)
	if err != nil {
		return xfer.FileInfo{}, err
	}
	var out xfer.FileInfo
	err = r.with(ctx, func(root *os.Root) error {
		fi, err := root.Lstat(fp)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("not a regular file")
		}
		out = xfer.FileInfo{Name: path.Base(fp), Size: fi.Size(), ModTime: fi.ModTime()}
		return nil
	})
	if err != nil {
		return xfer.FileInfo{}, fmt.Errorf("stat %s: %w", fp, err)
	}
	return out, nil
}

// SHA256 returns the lowercase hex SHA-256 of the file at path: on a local
// directory re-reading a file is cheap, so intake checks with it that the
// file it archives is the one it downloaded.
func (r *Remote) SHA256(ctx context.Context, p string) (string, error) {
	rc, err := r.Open(ctx, p)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx: ctx, r: rc}); err != nil {
		return "", fmt.Errorf("hash %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Put implements transport.Remote: it writes dir/TempName(name), fsyncs it,
// renames it over dir/name and fsyncs dir. A temp file left by an earlier
// crash is replaced. The file gets FileMode.
func (r *Remote) Put(ctx context.Context, dir, name string, src io.Reader) error {
	d, err := xfer.CleanPath(dir)
	if err != nil {
		return err
	}
	n, err := xfer.CleanName(name)
	if err != nil {
		return err
	}
	final, tmp := path.Join(d, n), path.Join(d, xfer.TempName(n))
	err = r.with(ctx, func(root *os.Root) error {
		// A temp file left by a crashed Put is removed, not reused: the new
		// one is created afresh (O_EXCL), so neither its old mode nor a link
		// planted under its name carries over.
		if err := root.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, ctxReader{ctx: ctx, r: src})
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = root.Rename(tmp, final)
		}
		if err != nil {
			_ = root.Remove(tmp)
			return err
		}
		return syncDir(root, d)
	})
	if err != nil {
		return fmt.Errorf("put %s: %w", final, err)
	}
	return nil
}

// Rename implements transport.Remote with os.Rename semantics: an existing
// target file is replaced atomically.
func (r *Remote) Rename(ctx context.Context, from, to string) error {
	f, err := xfer.CleanFilePath(from)
	if err != nil {
		return err
	}
	t, err := xfer.CleanFilePath(to)
	if err != nil {
		return err
	}
	err = r.with(ctx, func(root *os.Root) error {
		if err := root.Rename(f, t); err != nil {
			return err
		}
		if err := syncDir(root, path.Dir(t)); err != nil {
			return err
		}
		if pd := path.Dir(f); pd != path.Dir(t) {
			return syncDir(root, pd)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rename %s to %s: %w", f, t, err)
	}
	return nil
}

// Remove implements transport.Remote.
func (r *Remote) Remove(ctx context.Context, p string) error {
	fp, err := xfer.CleanFilePath(p)
	if err != nil {
		return err
	}
	err = r.with(ctx, func(root *os.Root) error { return root.Remove(fp) })
	if err != nil {
		return fmt.Errorf("remove %s: %w", fp, err)
	}
	return nil
}

// MkdirAll implements transport.Remote. New directories get DirMode.
func (r *Remote) MkdirAll(ctx context.Context, dir string) error {
	d, err := xfer.CleanPath(dir)
	if err != nil {
		return err
	}
	err = r.with(ctx, func(root *os.Root) error { return root.MkdirAll(d, DirMode) })
	if err != nil {
		return fmt.Errorf("mkdir %s: %w", d, err)
	}
	return nil
}

// Close implements transport.Remote. It is safe to call more than once.
func (r *Remote) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.root == nil {
		return nil
	}
	err := r.root.Close()
	r.root = nil
	return err
}

// with runs fn on the open root, or fails with the context's error or
// xfer.ErrClosed.
func (r *Remote) with(ctx context.Context, fn func(*os.Root) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.root == nil {
		return xfer.ErrClosed
	}
	return fn(r.root)
}

// syncDir fsyncs a directory so a rename inside it survives a power loss.
func syncDir(root *os.Root, d string) error {
	f, err := root.Open(d)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ctxReader stops a copy when its context ends.
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
