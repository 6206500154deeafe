package transport_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/clearinghouse/clearinghouse/transport"
	"github.com/clearinghouse/clearinghouse/transport/sftpserver"
)

func TestOpenDir(t *testing.T) {
	base := t.TempDir()
	for _, u := range []string{"dir:" + base, "file://" + base} {
		r, err := transport.Open(t.Context(), u, transport.Options{})
		if err != nil {
			t.Fatalf("Open(%s): %v", u, err)
		}
		if err := r.Put(t.Context(), ".", "a.edi", strings.NewReader("ISA~")); err != nil {
			t.Fatal(err)
		}
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(base, "a.edi")); string(b) != "ISA~" {
		t.Errorf("a.edi = %q", b)
	}
	if _, err := transport.Open(t.Context(), "dir:"+filepath.Join(base, "missing"), transport.Options{}); err == nil {
		t.Error("Open of a missing directory succeeded")
	}
}

func TestOpenSFTP(t *testing.T) {
	dir := t.TempDir()
	keys, err := sftpserver.GenerateKeys(filepath.Join(dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root")
	if err := os.MkdirAll(filepath.Join(root, "partners", "acme"), 0o755); err != nil {
		t.Fatal(err)
	}
	srv, err := sftpserver.New(sftpserver.Config{HostKeyFile: keys.HostKey, Users: []sftpserver.User{{
		Name: "edi", Root: root, AuthorizedKeys: []ssh.PublicKey{keys.ClientPublicKey},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.WriteKnownHosts(keys.KnownHosts); err != nil {
		t.Fatal(err)
	}
	opts := transport.Options{KeyFile: keys.ClientKey, KnownHostsFile: keys.KnownHosts}
	for _, base := range []string{"/partners/acme", "/~/partners/acme"} {
		r, err := transport.Open(t.Context(), "sftp://edi@"+srv.Addr()+base, opts)
		if err != nil {
			t.Fatalf("Open(%s): %v", base, err)
		}
		if err := r.Put(t.Context(), ".", "x.edi", strings.NewReader(base)); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if b, _ := os.ReadFile(filepath.Join(root, "partners", "acme", "x.edi")); string(b) != base {
			t.Errorf("%s: x.edi = %q", base, b)
		}
	}
	if _, err := transport.Open(t.Context(), "sftp://edi@"+srv.Addr(), transport.Options{KeyFile: keys.ClientKey}); err == nil {
		t.Error("Open without a known_hosts file succeeded")
	}
}

func TestCleanNameReexport(t *testing.T) {
	_, err := transport.CleanName("../../etc/passwd")
	var ne *transport.NameError
	if !errors.As(err, &ne) || !errors.Is(err, transport.ErrUnsafeName) || ne.Name != "../../etc/passwd" {
		t.Fatalf("CleanName error = %#v", err)
	}
	if got, err := transport.CleanName("837P_0001.x12"); err != nil || got != "837P_0001.x12" {
		t.Errorf("CleanName(valid) = %q, %v", got, err)
	}
	if transport.TempName("a.x12") != ".a.x12.part" {
		t.Errorf("TempName = %q", transport.TempName("a.x12"))
	}
	if _, err := transport.CleanName(transport.TempName("a.x12")); err == nil {
		t.Error("CleanName accepted a temp name")
	}
}
