package sftp_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/clearinghouse/clearinghouse/transport/internal/remotetest"
	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
	"github.com/clearinghouse/clearinghouse/transport/sftp"
)

func TestConformanceEmbedded(t *testing.T) {
	b := setup(t)
	remotetest.Run(t, remotetest.Harness{
		HostDir: b.root,
		New:     func(t *testing.T) xfer.Remote { return dial(t, b.cfg) },
	})
}

// TestConformanceEmbeddedBaseDir runs the suite with an absolute BaseDir
// below the jail root and password authentication.
func TestConformanceEmbeddedBaseDir(t *testing.T) {
	b := setup(t)
	if err := os.MkdirAll(filepath.Join(b.root, "partners", "acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := b.cfg
	cfg.KeyFile, cfg.Password, cfg.BaseDir = "", testPassword, "/partners/acme"
	remotetest.Run(t, remotetest.Harness{
		HostDir: filepath.Join(b.root, "partners", "acme"),
		New:     func(t *testing.T) xfer.Remote { return dial(t, cfg) },
	})
}

func TestHostKeyMismatchRefused(t *testing.T) {
	b := setup(t)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, err := ssh.NewPublicKey(other.Public())
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.cfg
	cfg.KnownHostsFile = writeKnownHosts(t, b.srv.Addr(), otherPub)
	cfg.MaxAttempts = 5
	c, err := sftp.Dial(t.Context(), cfg)
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded with a known_hosts entry holding another key")
	}
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		t.Fatalf("error %v is not a *knownhosts.KeyError", err)
	}
	if len(ke.Want) != 1 || !bytes.Equal(ke.Want[0].Key.Marshal(), otherPub.Marshal()) {
		t.Errorf("KeyError.Want = %v, want the known key", ke.Want)
	}
	if n := b.srv.Accepted(); n != 1 {
		t.Errorf("server accepted %d connections; a host-key mismatch must not be retried", n)
	}
	if sftp.Retryable(err) {
		t.Error("host-key error classified as retryable")
	}
}

func TestUnknownHostRefused(t *testing.T) {
	b := setup(t)
	// known_hosts lists the right key, but for another port.
	cfg := b.cfg
	cfg.KnownHostsFile = writeKnownHosts(t, "127.0.0.1:1", b.srv.HostKey())
	cfg.MaxAttempts = 5
	c, err := sftp.Dial(t.Context(), cfg)
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded for a host missing from known_hosts")
	}
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) || len(ke.Want) != 0 {
		t.Fatalf("error %v: want *knownhosts.KeyError with empty Want", err)
	}
	if n := b.srv.Accepted(); n != 1 {
		t.Errorf("server accepted %d connections, want 1", n)
	}
}

// TestHostKeyAlgorithmsFollowKnownHosts reproduces the CI gotcha: the server
// offers ECDSA and ed25519 host keys, known_hosts holds only ed25519. A
// client without HostKeyAlgorithms negotiates ECDSA and fails.
func TestHostKeyAlgorithmsFollowKnownHosts(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecSigner, err := ssh.NewSignerFromKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	b := setup(t, setupOpts{extraHostKeys: []ssh.Signer{ecSigner}})

	// The naive client fails, which proves the setup exercises the gotcha.
	cb, err := knownhosts.New(b.keys.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	signer := loadSigner(t, b.keys.ClientKey)
	naive, err := ssh.Dial("tcp", b.srv.Addr(), &ssh.ClientConfig{
		User: "edi", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: cb,
	})
	if err == nil {
		naive.Close()
		t.Fatal("naive client connected; the server did not prefer ECDSA as expected")
	}
	if ke := (*knownhosts.KeyError)(nil); !errors.As(err, &ke) || len(ke.Want) == 0 {
		t.Fatalf("naive client failed with %v, want a key mismatch", err)
	}

	c := dial(t, b.cfg)
	if _, err := c.List(t.Context(), "."); err != nil {
		t.Fatalf("List: %v", err)
	}
}

func loadSigner(t *testing.T, path string) ssh.Signer {
	t.Helper()
	pem, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAuthFailureNotRetried(t *testing.T) {
	tests := []struct {
		name string
		edit func(*sftp.Config, string)
	}{
		{"wrong password", func(c *sftp.Config, _ string) { c.KeyFile, c.Password = "", "wrong" }},
		{"unknown user", func(c *sftp.Config, _ string) { c.User = "mallory" }},
		{"unauthorized key", func(c *sftp.Config, dir string) {
			_, priv, _ := ed25519.GenerateKey(rand.Reader)
			blk, _ := ssh.MarshalPrivateKey(priv, "")
			p := filepath.Join(dir, "other_key")
			os.WriteFile(p, pemEncode(blk), 0o600)
			c.KeyFile = p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := setup(t)
			cfg := b.cfg
			cfg.MaxAttempts = 5
			tt.edit(&cfg, t.TempDir())
			c, err := sftp.Dial(t.Context(), cfg)
			if err == nil {
				c.Close()
				t.Fatal("Dial succeeded")
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("error = %v, want an authentication failure", err)
			}
			if n := b.srv.Accepted(); n != 1 {
				t.Errorf("server accepted %d connections; auth failures must not be retried", n)
			}
		})
	}
}

func TestPasswordAuth(t *testing.T) {
	b := setup(t)
	cfg := b.cfg
	cfg.KeyFile, cfg.Password = "", testPassword
	c := dial(t, cfg)
	if err := c.Put(t.Context(), ".", "p.edi", strings.NewReader("ISA~")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(b.root, "p.edi")); string(got) != "ISA~" {
		t.Errorf("on disk %q", got)
	}
}

func TestReconnectAfterServerDrop(t *testing.T) {
	b := setup(t)
	c := dial(t, b.cfg)
	ctx := t.Context()
	if err := c.Put(ctx, ".", "a.edi", strings.NewReader("ISA*a~")); err != nil {
		t.Fatal(err)
	}
	for i, op := range []func() error{
		func() error { _, err := c.List(ctx, "."); return err },
		func() error { return c.Put(ctx, ".", "b.edi", strings.NewReader("ISA*b~")) },
		func() error { return c.Rename(ctx, "b.edi", "c.edi") },
		func() error {
			rc, err := c.Open(ctx, "a.edi")
			if err != nil {
				return err
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err == nil && string(got) != "ISA*a~" {
				t.Errorf("read %q after reconnect", got)
			}
			return err
		},
		func() error { return c.Remove(ctx, "c.edi") },
		func() error { return c.MkdirAll(ctx, "x/y") },
	} {
		if n := b.srv.DisconnectAll(); n != 1 {
			t.Fatalf("op %d: DisconnectAll dropped %d connections, want 1", i, n)
		}
		if err := op(); err != nil {
			t.Fatalf("op %d after the server dropped the connection: %v", i, err)
		}
		if got, want := b.srv.Accepted(), int64(i+2); got != want {
			t.Errorf("op %d: server accepted %d connections, want %d (one reconnect per drop)", i, got, want)
		}
	}
	ents, _ := os.ReadDir(b.root)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"a.edi", "x"}) {
		t.Errorf("jail holds %q", names)
	}
}

// TestPutDropBeforeRename kills the connection after the upload's bytes
// were sent but before close and rename: Put reconnects, rewinds the source
// and retries, leaving exactly one final file and no temp file.
func TestPutDropBeforeRename(t *testing.T) {
	b := setup(t)
	c := dial(t, b.cfg)
	data := bytes.Repeat([]byte("ISA*00*RETRY~"), 10000)
	src := &dropAtEOF{Reader: bytes.NewReader(data), drop: func() { b.srv.DisconnectAll() }}
	if err := c.Put(t.Context(), ".", "r.edi", src); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if !src.dropped.Load() {
		t.Fatal("the connection was never dropped")
	}
	if n := b.srv.Accepted(); n != 2 {
		t.Errorf("server accepted %d connections, want 2", n)
	}
	ents, _ := os.ReadDir(b.root)
	if len(ents) != 1 || ents[0].Name() != "r.edi" {
		t.Fatalf("jail holds %v, want exactly r.edi", ents)
	}
	if got, _ := os.ReadFile(filepath.Join(b.root, "r.edi")); !bytes.Equal(got, data) {
		t.Errorf("final file has %d bytes, want %d identical bytes", len(got), len(data))
	}
}

func TestPutDropNotRewindable(t *testing.T) {
	b := setup(t)
	c := dial(t, b.cfg)
	src := &dropAtEOF{Reader: bytes.NewReader([]byte("ISA*once~")), drop: func() { b.srv.DisconnectAll() }}
	err := c.Put(t.Context(), ".", "r.edi", onlyReader{src})
	if !errors.Is(err, sftp.ErrNotRewindable) {
		t.Fatalf("Put = %v, want ErrNotRewindable", err)
	}
	if _, err := os.Stat(filepath.Join(b.root, "r.edi")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("final file exists after failed Put: %v", err)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	b := setup(t)
	rec := newLogRecorder()
	cfg := b.cfg
	cfg.MaxAttempts = 3
	cfg.Logger = slogNew(rec)
	c := dial(t, cfg)
	b.srv.Close()
	_, err := c.List(t.Context(), ".")
	if err == nil {
		t.Fatal("List succeeded with the server gone")
	}
	if !sftp.Retryable(err) {
		t.Errorf("final error %v should be a connection error", err)
	}
	if n := rec.count("sftp operation failed, retrying"); n != cfg.MaxAttempts-1 {
		t.Errorf("logged %d retries, want %d", n, cfg.MaxAttempts-1)
	}
}

func TestContextCancelStopsBackoff(t *testing.T) {
	b := setup(t)
	rec := newLogRecorder()
	cfg := b.cfg
	cfg.MaxAttempts = 100
	cfg.BackoffMin, cfg.BackoffMax = time.Hour, time.Hour
	cfg.Logger = slogNew(rec)
	c := dial(t, cfg)
	b.srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	rec.setHook(func(msg string) {
		if msg == "sftp operation failed, retrying" {
			cancel()
		}
	})
	_, err := c.List(ctx, ".")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("List = %v, want context.Canceled", err)
	}
	if n := rec.count("sftp operation failed, retrying"); n != 1 {
		t.Errorf("logged %d retries, want 1", n)
	}
}

func TestIOTimeoutDropsHungConnection(t *testing.T) {
	b := setup(t)
	p := newStallProxy(t, b.srv.Addr())
	cfg := b.cfg
	cfg.Addr = p.addr()
	cfg.KnownHostsFile = writeKnownHosts(t, p.addr(), b.srv.HostKey())
	cfg.IOTimeout = time.Second
	cfg.MaxAttempts = 1
	c := dial(t, cfg)
	p.stall.Store(true)
	_, err := c.List(t.Context(), ".")
	if !errors.Is(err, sftp.ErrIOTimeout) {
		t.Fatalf("List on a hung server = %v, want ErrIOTimeout", err)
	}
	p.stall.Store(false)
	if _, err := c.List(t.Context(), "."); err != nil {
		t.Fatalf("List after the hang cleared: %v", err)
	}
}

// TestPutWithoutPosixRename uses the Remove+Rename fallback: Put still
// replaces, while a plain Rename onto an existing file fails (SFTPv3).
func TestPutWithoutPosixRename(t *testing.T) {
	b := setup(t)
	c := dial(t, sftp.WithoutPosixRename(b.cfg))
	ctx := t.Context()
	for _, v := range []string{"v1", "v2"} {
		if err := c.Put(ctx, ".", "x.edi", strings.NewReader(v)); err != nil {
			t.Fatalf("Put %s: %v", v, err)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(b.root, "x.edi")); string(got) != "v2" {
		t.Errorf("x.edi = %q, want v2", got)
	}
	if err := c.Put(ctx, ".", "y.edi", strings.NewReader("y")); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename(ctx, "y.edi", "x.edi"); err == nil {
		t.Error("SFTPv3 Rename onto an existing file succeeded")
	}
	if err := c.Rename(ctx, "y.edi", "z.edi"); err != nil {
		t.Errorf("Rename to a new name: %v", err)
	}
	ents, _ := os.ReadDir(b.root)
	if len(ents) != 2 {
		t.Errorf("jail holds %v, want x.edi and z.edi", ents)
	}
}

func TestDialConfigErrors(t *testing.T) {
	b := setup(t)
	tests := []struct {
		name string
		edit func(*sftp.Config)
	}{
		{"no addr", func(c *sftp.Config) { c.Addr = "" }},
		{"no user", func(c *sftp.Config) { c.User = "" }},
		{"no known_hosts", func(c *sftp.Config) { c.KnownHostsFile = "" }},
		{"missing known_hosts file", func(c *sftp.Config) { c.KnownHostsFile = filepath.Join(t.TempDir(), "nope") }},
		{"no auth", func(c *sftp.Config) { c.KeyFile, c.Password = "", "" }},
		{"missing key file", func(c *sftp.Config) { c.KeyFile = filepath.Join(t.TempDir(), "nope") }},
		{"key file not a key", func(c *sftp.Config) { c.KeyFile = c.KnownHostsFile }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := b.cfg
			tt.edit(&cfg)
			if c, err := sftp.Dial(t.Context(), cfg); err == nil {
				c.Close()
				t.Fatal("Dial succeeded")
			}
		})
	}
	if n := b.srv.Accepted(); n != 0 {
		t.Errorf("config errors reached the network (%d connections)", n)
	}
}

// checkFileErrorsNotRetried runs operations that fail with a file error
// (not a connection error) and checks none of them was retried.
func checkFileErrorsNotRetried(t *testing.T, cfg sftp.Config) {
	t.Helper()
	rec := newLogRecorder()
	cfg.Logger = slogNew(rec)
	cfg.MaxAttempts = 4
	c := dial(t, cfg)
	ctx := t.Context()
	w := "noretry-" + filepath.Base(t.TempDir())
	if err := c.MkdirAll(ctx, w); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Remove(context.Background(), w+"/f.edi")
		c.Remove(context.Background(), w) // best effort; removes only an empty dir on OpenSSH
	})
	if err := c.Put(ctx, w, "f.edi", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		op   func() error
	}{
		{"mkdir over file", func() error { return c.MkdirAll(ctx, w+"/f.edi") }},
		{"open missing", func() error { _, err := c.Open(ctx, w+"/nope.edi"); return err }},
		{"list missing", func() error { _, err := c.List(ctx, w+"/nope"); return err }},
		{"list a file", func() error { _, err := c.List(ctx, w+"/f.edi"); return err }},
		{"remove missing", func() error { return c.Remove(ctx, w+"/nope.edi") }},
		{"rename missing", func() error { return c.Rename(ctx, w+"/nope.edi", w+"/x.edi") }},
		{"put into missing dir", func() error { return c.Put(ctx, w+"/nope", "x.edi", strings.NewReader("x")) }},
	}
	for _, o := range ops {
		if err := o.op(); err == nil {
			t.Errorf("%s: succeeded", o.name)
		}
	}
	if n := rec.count("sftp operation failed, retrying"); n != 0 {
		t.Errorf("%d retries logged for file errors, want 0", n)
	}
	if n := rec.count("sftp connected"); n != 1 {
		t.Errorf("connected %d times, want 1", n)
	}
}

func TestFileErrorsNotRetried(t *testing.T) {
	checkFileErrorsNotRetried(t, setup(t).cfg)
}
