package sftp_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/clearinghouse/clearinghouse/transport/sftp"
	"github.com/clearinghouse/clearinghouse/transport/sftpserver"
)

const testPassword = "not-a-real-secret"

// bundle is an embedded server with one user "edi" and a client config
// that reaches it.
type bundle struct {
	srv  *sftpserver.Server
	root string // the user's jail on disk
	keys *sftpserver.KeyFiles
	cfg  sftp.Config
}

type setupOpts struct {
	extraHostKeys []ssh.Signer
}

func setup(t *testing.T, opts ...setupOpts) *bundle {
	t.Helper()
	var o setupOpts
	if len(opts) > 0 {
		o = opts[0]
	}
	dir := t.TempDir()
	keys, err := sftpserver.GenerateKeys(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	srv, err := sftpserver.New(sftpserver.Config{
		HostKeyFile:   keys.HostKey,
		ExtraHostKeys: o.extraHostKeys,
		Users: []sftpserver.User{{
			Name: "edi", Root: root, Password: testPassword,
			AuthorizedKeys: []ssh.PublicKey{keys.ClientPublicKey},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.WriteKnownHosts(keys.KnownHosts); err != nil {
		t.Fatal(err)
	}
	return &bundle{srv: srv, root: root, keys: keys, cfg: sftp.Config{
		Addr:           srv.Addr(),
		User:           "edi",
		KeyFile:        keys.ClientKey,
		KnownHostsFile: keys.KnownHosts,
		BackoffMin:     time.Millisecond,
		BackoffMax:     10 * time.Millisecond,
	}}
}

func dial(t *testing.T, cfg sftp.Config) *sftp.Client {
	t.Helper()
	c, err := sftp.Dial(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// writeKnownHosts writes a known_hosts file with one line per key for addr.
func writeKnownHosts(t *testing.T, addr string, keys ...ssh.PublicKey) string {
	t.Helper()
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(sftpserver.KnownHostsLine(addr, k) + "\n")
	}
	p := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// logRecorder is a slog handler that counts records by message and can run
// a hook on each.
type logRecorder struct {
	mu     sync.Mutex
	counts map[string]int
	hook   func(msg string)
}

func newLogRecorder() *logRecorder { return &logRecorder{counts: map[string]int{}} }

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.counts[r.Message]++
	hook := l.hook
	l.mu.Unlock()
	if hook != nil {
		hook(r.Message)
	}
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }
func (l *logRecorder) setHook(f func(msg string)) {
	l.mu.Lock()
	l.hook = f
	l.mu.Unlock()
}

func (l *logRecorder) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[msg]
}

// dropAtEOF is a seekable source that runs drop once, the first time the
// upload reaches the end of the data: the connection dies after the bytes
// were sent but before the temp file is closed and renamed.
type dropAtEOF struct {
	*bytes.Reader
	drop    func()
	dropped atomic.Bool
}

func (d *dropAtEOF) Read(p []byte) (int, error) {
	n, err := d.Reader.Read(p)
	if err == io.EOF && d.dropped.CompareAndSwap(false, true) {
		d.drop()
	}
	return n, err
}

// onlyReader hides every method but Read (no Seek).
type onlyReader struct{ io.Reader }

// stallProxy forwards TCP to target until stall is set; from then on it
// swallows the server's replies, so the client sees a hung server.
type stallProxy struct {
	ln     net.Listener
	target string
	stall  atomic.Bool
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{ln: ln, target: target}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			wg.Go(func() { io.Copy(s, c); s.Close() })
			wg.Go(func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := s.Read(buf)
					if n > 0 && !p.stall.Load() {
						if _, werr := c.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				c.Close()
			})
		}
	})
	return p
}

func (p *stallProxy) addr() string { return p.ln.Addr().String() }

func slogNew(h slog.Handler) *slog.Logger { return slog.New(h) }

func pemEncode(b *pem.Block) []byte { return pem.EncodeToMemory(b) }
