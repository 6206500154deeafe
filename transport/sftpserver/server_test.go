package sftpserver_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/clearinghouse/clearinghouse/transport/sftpserver"
)

const password = "demo-password"

// bundle: a started server with user "edi" jailed to root, and a sibling
// directory "outside" holding secret.edi.
type bundle struct {
	srv     *sftpserver.Server
	keys    *sftpserver.KeyFiles
	root    string
	outside string
}

func setup(t *testing.T) *bundle {
	t.Helper()
	dir := t.TempDir()
	keys, err := sftpserver.GenerateKeys(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{keys: keys, root: filepath.Join(dir, "root"), outside: filepath.Join(dir, "outside")}
	for _, d := range []string{b.root, b.outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(b.outside, "secret.edi"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.srv, err = sftpserver.New(sftpserver.Config{
		HostKeyFile: keys.HostKey,
		Users: []sftpserver.User{{
			Name: "edi", Root: b.root, Password: password,
			AuthorizedKeys: []ssh.PublicKey{keys.ClientPublicKey},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.srv.Close() })
	if err := b.srv.WriteKnownHosts(keys.KnownHosts); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bundle) sshConfig(t *testing.T, auth ...ssh.AuthMethod) *ssh.ClientConfig {
	t.Helper()
	cb, err := knownhosts.New(b.keys.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	if len(auth) == 0 {
		pem, err := os.ReadFile(b.keys.ClientKey)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := ssh.ParsePrivateKey(pem)
		if err != nil {
			t.Fatal(err)
		}
		auth = []ssh.AuthMethod{ssh.PublicKeys(signer)}
	}
	return &ssh.ClientConfig{User: "edi", Auth: auth, HostKeyCallback: cb,
		HostKeyAlgorithms: []string{ssh.KeyAlgoED25519}}
}

// raw returns a plain pkg/sftp client: no client-side name checks at all.
func (b *bundle) raw(t *testing.T) *sftp.Client {
	t.Helper()
	conn, err := ssh.Dial("tcp", b.srv.Addr(), b.sshConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c, err := sftp.NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestJailEscape drives a raw SFTP client at every way out of the jail it
// can try: "..", absolute paths, and symlinks (relative and absolute) that
// the host planted inside the root pointing outside.
func TestJailEscape(t *testing.T) {
	b := setup(t)
	for name, target := range map[string]string{
		"rel": "../outside", "abs": b.outside,
		"relfile": "../outside/secret.edi", "absfile": filepath.Join(b.outside, "secret.edi"),
	} {
		if err := os.Symlink(target, filepath.Join(b.root, name)); err != nil {
			t.Fatal(err)
		}
	}
	// A decoy inside the jail: traversal must land here, not on the host.
	if err := os.MkdirAll(filepath.Join(b.root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.root, "etc", "passwd"), []byte("jailed"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := b.raw(t)
	for _, p := range []string{"../../etc/passwd", "/../../../etc/passwd", "etc/../../etc/passwd"} {
		f, err := c.Open(p)
		if err != nil {
			t.Fatalf("Open(%q): %v", p, err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if string(got) != "jailed" {
			t.Errorf("Open(%q) read %q, want the file inside the jail", p, got)
		}
	}
	outsideRel := "../" + filepath.Base(b.outside)
	reads := []string{
		"../../etc/passwd", "/../../etc/passwd", "/etc/passwd",
		outsideRel + "/secret.edi", "/" + outsideRel + "/secret.edi",
		"rel/secret.edi", "abs/secret.edi", "relfile", "absfile",
		b.outside + "/secret.edi",
	}
	for _, p := range reads {
		t.Run("read "+p, func(t *testing.T) {
			f, err := c.Open(p)
			if err != nil {
				return // refused or not found inside the jail: both fine
			}
			defer f.Close()
			got, _ := io.ReadAll(f)
			if bytes.Contains(got, []byte("secret")) || bytes.Contains(got, []byte("root:")) {
				t.Fatalf("read %q through the jail: %q", p, got)
			}
		})
	}
	for _, p := range []string{"rel", "abs", outsideRel, "/.."} {
		t.Run("list "+p, func(t *testing.T) {
			fis, err := c.ReadDir(p)
			for _, fi := range fis {
				if fi.Name() == "secret.edi" {
					t.Fatalf("ReadDir(%q) listed the outside directory", p)
				}
			}
			_ = err
		})
	}
	writes := []struct {
		name string
		op   func() error
	}{
		{"create via dotdot", func() error { return create(c, outsideRel+"/new.edi") }},
		{"create via rel link", func() error { return create(c, "rel/new.edi") }},
		{"create via abs link", func() error { return create(c, "abs/new.edi") }},
		{"overwrite via file link", func() error { return create(c, "absfile") }},
		{"mkdir via link", func() error { return c.Mkdir("rel/newdir") }},
		{"remove via link", func() error { return c.Remove("abs/secret.edi") }},
		{"rename out via link", func() error {
			if err := create(c, "mine.edi"); err != nil {
				return nil
			}
			return c.Rename("mine.edi", "rel/mine.edi")
		}},
		{"posix rename out via link", func() error { return c.PosixRename("mine.edi", "abs/mine.edi") }},
		{"rename in via link", func() error { return c.Rename("abs/secret.edi", "stolen.edi") }},
		{"symlink creation", func() error { return c.Symlink(b.outside, "newlink") }},
		{"hard link creation", func() error { return c.Link("relfile", "hard.edi") }},
		{"chmod via link", func() error { return c.Chmod("abs/secret.edi", 0o777) }},
		{"truncate via link", func() error { return c.Truncate("absfile", 0) }},
	}
	for _, w := range writes {
		if err := w.op(); err == nil {
			t.Errorf("%s: succeeded, want refusal", w.name)
		}
	}
	ents, _ := os.ReadDir(b.outside)
	if len(ents) != 1 || ents[0].Name() != "secret.edi" {
		t.Errorf("outside directory changed: %v", ents)
	}
	fi, err := os.Stat(filepath.Join(b.outside, "secret.edi"))
	if err != nil || fi.Size() != 6 || fi.Mode().Perm() != 0o644 {
		t.Errorf("secret.edi changed: %v %v", fi, err)
	}
	for _, n := range []string{"stolen.edi", "newlink", "hard.edi"} {
		if _, err := os.Lstat(filepath.Join(b.root, n)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s exists in the jail", n)
		}
	}
	// The server's own view of "/" is the jail.
	if wd, err := c.Getwd(); err != nil || wd != "/" {
		t.Errorf("Getwd = %q, %v; want /", wd, err)
	}
}

func create(c *sftp.Client, p string) error {
	f, err := c.Create(p)
	if err != nil {
		return err
	}
	_, err = f.Write([]byte("x"))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func TestFileOperations(t *testing.T) {
	b := setup(t)
	c := b.raw(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.MkdirAll("in/sub"))
	must(create(c, "in/a.edi"))
	must(create(c, "in/b.edi"))
	fis, err := c.ReadDir("in")
	must(err)
	var names []string
	for _, fi := range fis {
		names = append(names, fi.Name())
	}
	if strings.Join(names, ",") != "a.edi,b.edi,sub" {
		t.Errorf("ReadDir = %q", names)
	}
	fi, err := c.Stat("in/a.edi")
	if err != nil || fi.Size() != 1 || fi.IsDir() {
		t.Errorf("Stat = %v, %v", fi, err)
	}
	if _, err := c.Stat("in/missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(missing) = %v, want fs.ErrNotExist", err)
	}
	// SFTPv3 rename refuses to replace; posix-rename replaces.
	if err := c.Rename("in/a.edi", "in/b.edi"); err == nil {
		t.Error("Rename onto an existing file succeeded")
	}
	if _, ok := c.HasExtension("posix-rename@openssh.com"); !ok {
		t.Fatal("server does not advertise posix-rename@openssh.com")
	}
	must(c.PosixRename("in/a.edi", "in/b.edi"))
	if _, err := os.Stat(filepath.Join(b.root, "in", "a.edi")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("source still exists after PosixRename")
	}
	must(c.Rename("in/b.edi", "in/c.edi"))
	must(c.Rename("in/sub", "in/sub2"))
	// Remove refuses directories, RemoveDirectory refuses files.
	if err := c.RemoveDirectory("in/c.edi"); err == nil {
		t.Error("RemoveDirectory removed a file")
	}
	must(c.Remove("in/c.edi"))
	must(c.RemoveDirectory("in/sub2"))
	if err := c.Remove("/"); err == nil {
		t.Error("Remove(/) succeeded")
	}
	if err := c.Rename("/", "x"); err == nil {
		t.Error("Rename(/) succeeded")
	}
	ents, _ := os.ReadDir(filepath.Join(b.root, "in"))
	if len(ents) != 0 {
		t.Errorf("in/ holds %v", ents)
	}
}

func TestAuthentication(t *testing.T) {
	b := setup(t)
	tests := []struct {
		name string
		auth []ssh.AuthMethod
		user string
		ok   bool
	}{
		{name: "key", ok: true},
		{name: "password", auth: []ssh.AuthMethod{ssh.Password(password)}, ok: true},
		{name: "wrong password", auth: []ssh.AuthMethod{ssh.Password("nope")}},
		{name: "unknown user", user: "mallory", auth: []ssh.AuthMethod{ssh.Password(password)}},
		{name: "no methods", auth: []ssh.AuthMethod{ssh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return nil, nil
		})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := b.sshConfig(t, tt.auth...)
			if tt.user != "" {
				cfg.User = tt.user
			}
			conn, err := ssh.Dial("tcp", b.srv.Addr(), cfg)
			if conn != nil {
				conn.Close()
			}
			if (err == nil) != tt.ok {
				t.Errorf("Dial err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestOnlySFTPSubsystem(t *testing.T) {
	b := setup(t)
	conn, err := ssh.Dial("tcp", b.srv.Addr(), b.sshConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, cmd := range []func(*ssh.Session) error{
		func(s *ssh.Session) error { return s.Run("id") },
		func(s *ssh.Session) error { return s.Shell() },
		func(s *ssh.Session) error { return s.RequestSubsystem("netconf") },
	} {
		s, err := conn.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd(s); err == nil {
			t.Error("non-sftp session request accepted")
		}
		s.Close()
	}
	if _, _, err := conn.OpenChannel("direct-tcpip", nil); err == nil {
		t.Error("direct-tcpip channel accepted")
	}
}

func TestKnownHostsLine(t *testing.T) {
	b := setup(t)
	line := b.srv.KnownHostsLine()
	if !regexp.MustCompile(`^\[127\.0\.0\.1\]:\d+ ssh-ed25519 [A-Za-z0-9+/=]+$`).MatchString(line) {
		t.Errorf("KnownHostsLine = %q", line)
	}
	written, err := os.ReadFile(b.keys.KnownHosts)
	if err != nil || string(written) != line+"\n" {
		t.Errorf("known_hosts file = %q, %v", written, err)
	}
	if got := sftpserver.KnownHostsLine("sftp.example.test:22", b.srv.HostKey()); !strings.HasPrefix(got, "sftp.example.test ssh-ed25519 ") {
		t.Errorf("port 22 line = %q, want no brackets", got)
	}
}

func TestGenerateKeysPersists(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	k1, err := sftpserver.GenerateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := sftpserver.GenerateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k1.HostPublicKey.Marshal(), k2.HostPublicKey.Marshal()) ||
		!bytes.Equal(k1.ClientPublicKey.Marshal(), k2.ClientPublicKey.Marshal()) {
		t.Error("second GenerateKeys replaced the keys")
	}
	for _, p := range []string{k1.HostKey, k1.ClientKey} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", p, err, fi.Mode())
		}
	}
	authorized, err := sftpserver.LoadAuthorizedKeys(k1.AuthorizedKeys)
	if err != nil || len(authorized) != 1 || !bytes.Equal(authorized[0].Marshal(), k1.ClientPublicKey.Marshal()) {
		t.Errorf("authorized_keys = %v, %v", authorized, err)
	}
	host, err := sftpserver.LoadOrCreateHostKey(k1.HostKey)
	if err != nil || host.PublicKey().Type() != ssh.KeyAlgoED25519 {
		t.Errorf("host key reload: %v", err)
	}
}

func TestCloseAndShutdown(t *testing.T) {
	b := setup(t)
	c := b.raw(t)
	if err := create(c, "x.edi"); err != nil {
		t.Fatal(err)
	}
	if err := b.srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.Stat("x.edi"); err == nil {
		t.Error("session still served after Close")
	}
	if err := b.srv.Start(t.Context()); err == nil {
		t.Error("Start after Close succeeded")
	}

	b2 := setup(t)
	conn, err := ssh.Dial("tcp", b2.srv.Addr(), b2.sshConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	conn.Close() // a connection that has ended
	if err := b2.srv.Shutdown(t.Context()); err != nil {
		t.Errorf("Shutdown with no open sessions: %v", err)
	}
	b3 := setup(t)
	b3.raw(t) // an idle session that never ends by itself
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b3.srv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown with an open session and a done ctx = %v, want context.Canceled", err)
	}
}

func TestStartContextEndsServer(t *testing.T) {
	dir := t.TempDir()
	keys, err := sftpserver.GenerateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sftpserver.New(sftpserver.Config{HostKeyFile: keys.HostKey,
		Users: []sftpserver.User{{Name: "u", Root: dir, Password: password}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	// Shutdown waits for the accept loop, which ends once ctx closed the
	// listener.
	if err := srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if conn, err := ssh.Dial("tcp", srv.Addr(), &ssh.ClientConfig{User: "u",
		Auth: []ssh.AuthMethod{ssh.Password(password)}, HostKeyCallback: ssh.FixedHostKey(srv.HostKey())}); err == nil {
		conn.Close()
		t.Error("server still accepts after its context ended")
	}
}

func TestNewValidation(t *testing.T) {
	dir := t.TempDir()
	keys, err := sftpserver.GenerateKeys(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	ok := sftpserver.User{Name: "u", Root: dir, Password: "p"}
	tests := []struct {
		name string
		cfg  sftpserver.Config
	}{
		{"no users", sftpserver.Config{HostKeyFile: keys.HostKey}},
		{"no host key", sftpserver.Config{Users: []sftpserver.User{ok}}},
		{"no auth", sftpserver.Config{HostKeyFile: keys.HostKey, Users: []sftpserver.User{{Name: "u", Root: dir}}}},
		{"missing root", sftpserver.Config{HostKeyFile: keys.HostKey, Users: []sftpserver.User{{Name: "u", Root: filepath.Join(dir, "nope"), Password: "p"}}}},
		{"duplicate user", sftpserver.Config{HostKeyFile: keys.HostKey, Users: []sftpserver.User{ok, ok}}},
		{"unnamed user", sftpserver.Config{HostKeyFile: keys.HostKey, Users: []sftpserver.User{{Root: dir, Password: "p"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := sftpserver.New(tt.cfg); err == nil {
				s.Close()
				t.Fatal("New succeeded")
			}
		})
	}
}
