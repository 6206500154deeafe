package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
)

// ErrIOTimeout is wrapped by errors of operations that made no progress for
// Config.IOTimeout; the connection was dropped and the operation may have
// been retried.
var ErrIOTimeout = errors.New("sftp: i/o timeout")

// ErrNotRewindable is wrapped by a Put error when the upload failed after
// reading from a source that is not an io.Seeker, so it could not be retried.
var ErrNotRewindable = errors.New("sftp: source reader cannot be rewound for a retry")

// Client is a transport.Remote over SFTP. It holds at most one SSH
// connection, opened by Dial and reopened on demand when it drops. It is safe
// for concurrent use, except that two concurrent Puts of the same dir/name
// share one temp file and must not overlap.
type Client struct {
	cfg    Config
	sshCfg *ssh.ClientConfig
	log    *slog.Logger

	life   context.Context // ends at Close; aborts dials in progress
	cancel context.CancelFunc

	mu     sync.Mutex // guards cur and closed; held while connecting
	cur    *conn
	closed bool
}

var _ xfer.Remote = (*Client)(nil)

// conn is one SSH connection with its SFTP session.
type conn struct {
	ssh   *ssh.Client
	sftp  *sftp.Client
	posix bool          // server has posix-rename@openssh.com
	dead  chan struct{} // closed when the SSH connection has ended
}

func (cn *conn) alive() bool {
	select {
	case <-cn.dead:
		return false
	default:
		return true
	}
}

// kill drops the connection; blocked operations on it fail at once.
func (cn *conn) kill() { cn.ssh.Close() }

// Dial checks cfg, reads the key and known_hosts files, and connects,
// retrying transient failures as configured. Host-key and authentication
// failures are returned at once: a host key that does not match known_hosts
// gives an error that errors.As turns into a *knownhosts.KeyError (an empty
// Want means the host is not listed at all).
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	sshCfg, err := clientConfig(cfg)
	if err != nil {
		return nil, err
	}
	life, cancel := context.WithCancel(context.Background())
	c := &Client{cfg: cfg, sshCfg: sshCfg, log: cfg.Logger, life: life, cancel: cancel}
	if err := c.do(ctx, "connect", func(context.Context, *conn, *progress, int) error { return nil }); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// clientConfig builds the SSH client configuration: authentication from the
// key file and/or password, and host-key checking against known_hosts.
func clientConfig(cfg Config) (*ssh.ClientConfig, error) {
	var auth []ssh.AuthMethod
	if cfg.KeyFile != "" {
		pem, err := os.ReadFile(cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("sftp: read key: %w", err)
		}
		var signer ssh.Signer
		if cfg.KeyPassphrase != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(cfg.KeyPassphrase))
		} else {
			signer, err = ssh.ParsePrivateKey(pem)
		}
		if err != nil {
			return nil, fmt.Errorf("sftp: parse key %s: %w", cfg.KeyFile, err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if cfg.Password != "" {
		pw := cfg.Password
		auth = append(auth, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, echos []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range questions {
					if !echos[i] { // a hidden prompt is the password prompt
						answers[i] = pw
					}
				}
				return answers, nil
			}))
	}
	hostCB, err := knownhosts.New(cfg.KnownHostsFile)
	if err != nil {
		return nil, fmt.Errorf("sftp: read known_hosts: %w", err)
	}
	algos, err := hostKeyAlgorithms(hostCB, cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("sftp: %w", err)
	}
	return &ssh.ClientConfig{
		User:              cfg.User,
		Auth:              auth,
		HostKeyCallback:   hostCB,
		HostKeyAlgorithms: algos,
		Timeout:           cfg.DialTimeout,
	}, nil
}

// List implements transport.Remote.
func (c *Client) List(ctx context.Context, dir string) ([]xfer.FileInfo, error) {
	d, err := c.remoteDir(dir)
	if err != nil {
		return nil, err
	}
	var out []xfer.FileInfo
	err = c.do(ctx, "list "+d, func(ctx context.Context, cn *conn, _ *progress, _ int) error {
		fis, err := cn.sftp.ReadDirContext(ctx, d)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, fi := range fis {
			if fi.Mode().IsRegular() && !xfer.IsHidden(fi.Name()) {
				out = append(out, xfer.FileInfo{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b xfer.FileInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Open implements transport.Remote. Reads from the returned file are bound
// by ctx and by Config.IOTimeout but are not retried: if the connection drops
// mid-read, Read fails and the caller opens the file again.
func (c *Client) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	fp, err := c.remoteFile(p)
	if err != nil {
		return nil, err
	}
	var rc *reader
	err = c.do(ctx, "open "+fp, func(_ context.Context, cn *conn, _ *progress, _ int) error {
		f, err := cn.sftp.Open(fp)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		if err == nil && !fi.Mode().IsRegular() {
			err = fmt.Errorf("%s is not a regular file", fp)
		}
		if err != nil {
			f.Close()
			return err
		}
		rc = &reader{ctx: ctx, f: f, cn: cn, timeout: c.cfg.IOTimeout}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rc, nil
}

// Stat implements transport.Remote.
func (c *Client) Stat(ctx context.Context, p string) (xfer.FileInfo, error) {
	fp, err := c.remoteFile(p)
	if err != nil {
		return xfer.FileInfo{}, err
	}
	var out xfer.FileInfo
	err = c.do(ctx, "stat "+fp, func(_ context.Context, cn *conn, _ *progress, _ int) error {
		fi, err := cn.sftp.Lstat(fp)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return permanent{fmt.Errorf("%s is not a regular file", fp)}
		}
		out = xfer.FileInfo{Name: path.Base(fp), Size: fi.Size(), ModTime: fi.ModTime()}
		return nil
	})
	if err != nil {
		return xfer.FileInfo{}, err
	}
	return out, nil
}

// Put implements transport.Remote: it uploads to dir/TempName(name), then
// renames over dir/name with posix-rename@openssh.com, or, when the server
// lacks that extension, removes dir/name and renames (a short window in
// which neither name exists). A failed upload is retried when r is an
// io.Seeker (it is rewound); otherwise the error wraps ErrNotRewindable.
func (c *Client) Put(ctx context.Context, dir, name string, r io.Reader) error {
	d, err := c.remoteDir(dir)
	if err != nil {
		return err
	}
	n, err := xfer.CleanName(name)
	if err != nil {
		return err
	}
	final, tmp := path.Join(d, n), path.Join(d, xfer.TempName(n))
	seeker, _ := r.(io.Seeker)
	var start int64
	if seeker != nil {
		if start, err = seeker.Seek(0, io.SeekCurrent); err != nil {
			seeker = nil
		}
	}
	consumed := false
	var lastErr error
	return c.do(ctx, "put "+final, func(ctx context.Context, cn *conn, pr *progress, _ int) (err error) {
		if consumed {
			if seeker == nil {
				return permanent{fmt.Errorf("%w: %w", ErrNotRewindable, lastErr)}
			}
			if _, err := seeker.Seek(start, io.SeekStart); err != nil {
				return permanent{fmt.Errorf("rewind source: %w", err)}
			}
		}
		defer func() { lastErr = err }()
		f, err := cn.sftp.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
		if err != nil {
			return err
		}
		consumed = true
		_, err = io.Copy(f, &progressReader{ctx: ctx, r: r, p: pr})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = c.rename(cn, tmp, final, true)
		}
		if err != nil && !retryable(err) && ctx.Err() == nil {
			_ = cn.sftp.Remove(tmp) // best effort; a retry would truncate it anyway
		}
		return err
	})
}

// Rename implements transport.Remote. With posix-rename@openssh.com an
// existing target is replaced atomically; without it, the SFTPv3 rename
// fails when the target exists. When a retry after a dropped connection
// finds the source gone and the target present, the first attempt is taken
// to have succeeded.
func (c *Client) Rename(ctx context.Context, from, to string) error {
	f, err := c.remoteFile(from)
	if err != nil {
		return err
	}
	t, err := c.remoteFile(to)
	if err != nil {
		return err
	}
	return c.do(ctx, "rename "+f, func(_ context.Context, cn *conn, _ *progress, attempt int) error {
		err := c.rename(cn, f, t, false)
		if err != nil && attempt > 1 && errors.Is(err, fs.ErrNotExist) {
			if _, serr := cn.sftp.Lstat(t); serr == nil {
				return nil
			}
		}
		return err
	})
}

// rename renames with posix-rename when the server has it. With
// forceReplace (Put) and no extension, an existing target is removed first.
func (c *Client) rename(cn *conn, from, to string, forceReplace bool) error {
	if cn.posix {
		return cn.sftp.PosixRename(from, to)
	}
	if forceReplace {
		if err := cn.sftp.Remove(to); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return cn.sftp.Rename(from, to)
}

// Remove implements transport.Remote. A retry that finds the file already
// gone counts as success.
func (c *Client) Remove(ctx context.Context, p string) error {
	fp, err := c.remoteFile(p)
	if err != nil {
		return err
	}
	return c.do(ctx, "remove "+fp, func(_ context.Context, cn *conn, _ *progress, attempt int) error {
		err := cn.sftp.Remove(fp)
		if attempt > 1 && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	})
}

// MkdirAll implements transport.Remote.
func (c *Client) MkdirAll(ctx context.Context, dir string) error {
	d, err := c.remoteDir(dir)
	if err != nil {
		return err
	}
	return c.do(ctx, "mkdir "+d, func(_ context.Context, cn *conn, _ *progress, _ int) error {
		return cn.sftp.MkdirAll(d)
	})
}

// Close implements transport.Remote: it drops the connection. It is safe to
// call more than once; later operations fail with transport.ErrClosed.
func (c *Client) Close() error {
	c.cancel()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.cur == nil {
		return nil
	}
	cn := c.cur
	c.cur = nil
	cn.sftp.Close()
	if err := cn.ssh.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("sftp close: %w", err)
	}
	return nil
}

// remoteDir validates a Remote directory path and joins it to the base.
func (c *Client) remoteDir(p string) (string, error) {
	rel, err := xfer.CleanPath(p)
	if err != nil {
		return "", err
	}
	return c.join(rel), nil
}

// remoteFile is remoteDir for paths that must not be the base itself.
func (c *Client) remoteFile(p string) (string, error) {
	rel, err := xfer.CleanFilePath(p)
	if err != nil {
		return "", err
	}
	return c.join(rel), nil
}

func (c *Client) join(rel string) string {
	if c.cfg.BaseDir == "" {
		return rel // relative to the server's login directory
	}
	return path.Join(c.cfg.BaseDir, rel)
}

// opFunc is one attempt of an operation on a live connection; it calls
// p.kick() whenever it makes progress, and attempt counts from 1.
type opFunc func(ctx context.Context, cn *conn, p *progress, attempt int) error

// do runs fn on a live connection, reconnecting and retrying with
// exponential backoff while the failure is a connection failure, at most
// Config.MaxAttempts times.
func (c *Client) do(ctx context.Context, op string, fn opFunc) error {
	wait := c.cfg.BackoffMin
	for attempt := 1; ; attempt++ {
		cn, err := c.conn(ctx)
		if err == nil {
			err = c.guard(ctx, cn, fn, attempt)
			if err != nil && retryable(err) {
				c.discard(cn)
			}
		}
		if err == nil {
			return nil
		}
		var p permanent
		isPermanent := errors.As(err, &p)
		if isPermanent {
			err = p.err
		}
		err = fmt.Errorf("sftp %s: %w", op, err)
		if isPermanent || !retryable(err) || attempt >= c.cfg.MaxAttempts {
			return err
		}
		d := wait/2 + rand.N(wait/2+1) // jitter in [wait/2, wait]
		c.log.WarnContext(ctx, "sftp operation failed, retrying", logOp(op, err),
			slog.String("addr", c.cfg.Addr), slog.Int("attempt", attempt),
			slog.Duration("backoff", d))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("sftp %s: %w (after: %v)", op, ctx.Err(), err)
		case <-c.life.Done():
			t.Stop()
			return fmt.Errorf("sftp %s: %w", op, xfer.ErrClosed)
		case <-t.C:
		}
		wait = min(2*wait, c.cfg.BackoffMax)
	}
}

// logOp is the log attribute group of a failed operation: its verb, the
// hash of the file it was on (a file name can carry PHI and is never
// logged) and the error with that name replaced by its hash.
func logOp(op string, err error) slog.Attr {
	verb, p, _ := strings.Cut(op, " ")
	msg := err.Error()
	attrs := []any{slog.String("op", verb)}
	switch verb {
	case "open", "stat", "put", "rename", "remove":
		msg = xfer.RedactName(msg, p)
		attrs = append(attrs, slog.String("name_hash", xfer.NameHash(p)))
	}
	return slog.Group("", append(attrs, slog.String("error", msg))...)
}

// guard runs one attempt under the I/O watchdog: the connection is dropped
// when ctx ends or when fn makes no progress for IOTimeout, which unblocks
// any pkg/sftp call in flight.
func (c *Client) guard(ctx context.Context, cn *conn, fn opFunc, attempt int) error {
	p := &progress{d: c.cfg.IOTimeout}
	p.t = time.AfterFunc(p.d, func() { p.fired.Store(true); cn.kill() })
	stop := context.AfterFunc(ctx, cn.kill)
	err := fn(ctx, cn, p, attempt)
	stop()
	p.t.Stop()
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("%w (%w)", ctx.Err(), err)
	case p.fired.Load():
		return fmt.Errorf("%w after %v (%w)", ErrIOTimeout, c.cfg.IOTimeout, err)
	}
	return err
}

// conn returns the live connection, dialing a new one if needed.
func (c *Client) conn(ctx context.Context) (*conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, xfer.ErrClosed
	}
	if c.cur != nil && c.cur.alive() {
		return c.cur, nil
	}
	if c.cur != nil {
		c.cur.kill()
		c.cur = nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(c.life, cancel)
	defer stop()
	cn, err := c.connect(ctx)
	if err != nil {
		if c.life.Err() != nil {
			return nil, xfer.ErrClosed
		}
		return nil, err
	}
	c.cur = cn
	return cn, nil
}

// discard forgets cn if it is still the current connection, and drops it.
func (c *Client) discard(cn *conn) {
	c.mu.Lock()
	if c.cur == cn {
		c.cur = nil
	}
	c.mu.Unlock()
	cn.kill()
}

// connect dials, does the SSH handshake and starts the SFTP subsystem, all
// within DialTimeout and ctx.
func (c *Client) connect(ctx context.Context) (*conn, error) {
	addr := c.cfg.Addr
	d := net.Dialer{Timeout: c.cfg.DialTimeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	nc.SetDeadline(time.Now().Add(c.cfg.DialTimeout))
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	fail := func(stage string, err error) (*conn, error) {
		nc.Close()
		if stop(); ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s %s: %w", stage, addr, err)
	}
	sc, chans, reqs, err := ssh.NewClientConn(nc, addr, c.sshCfg)
	if err != nil {
		return fail("ssh handshake with", err)
	}
	sshc := ssh.NewClient(sc, chans, reqs)
	sftpc, err := sftp.NewClient(sshc)
	if err != nil {
		sshc.Close()
		return fail("start sftp on", err)
	}
	if !stop() {
		sshc.Close()
		return nil, ctx.Err()
	}
	nc.SetDeadline(time.Time{})
	cn := &conn{ssh: sshc, sftp: sftpc, dead: make(chan struct{})}
	_, cn.posix = sftpc.HasExtension("posix-rename@openssh.com")
	cn.posix = cn.posix && !c.cfg.disablePosixRename
	go func() {
		sshc.Wait()
		sftpc.Close()
		close(cn.dead)
	}()
	c.log.InfoContext(ctx, "sftp connected", slog.String("addr", addr),
		slog.String("user", c.cfg.User), slog.Bool("posix_rename", cn.posix))
	return cn, nil
}

// permanent marks an error that must not be retried even if its cause
// looks like a connection failure.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// progress is the per-attempt watchdog: kick pushes the deadline back.
type progress struct {
	t     *time.Timer
	d     time.Duration
	fired atomic.Bool
}

func (p *progress) kick() { p.t.Reset(p.d) }

// progressReader feeds Put's upload, stopping at the end of ctx and
// kicking the watchdog on every read.
type progressReader struct {
	ctx context.Context
	r   io.Reader
	p   *progress
}

func (r *progressReader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	r.p.kick()
	return r.r.Read(b)
}

// reader is the io.ReadCloser returned by Open.
type reader struct {
	ctx     context.Context
	f       *sftp.File
	cn      *conn
	timeout time.Duration
}

func (r *reader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	var fired atomic.Bool
	t := time.AfterFunc(r.timeout, func() { fired.Store(true); r.cn.kill() })
	n, err := r.f.Read(b)
	t.Stop()
	if err != nil && fired.Load() {
		err = fmt.Errorf("%w after %v (%w)", ErrIOTimeout, r.timeout, err)
	}
	return n, err
}

func (r *reader) Close() error { return r.f.Close() }
