package sftp_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/clearinghouse/clearinghouse/transport/internal/remotetest"
	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
	"github.com/clearinghouse/clearinghouse/transport/sftp"
)

// openSSHConfig returns a client config for the OpenSSH sshd described by
// SFTP_ADDR, SFTP_USER, SFTP_KEY, SFTP_KNOWN_HOSTS and SFTP_ROOT (see
// docs/ci-services.md), and the host directory of the login directory. It
// skips the test when they are unset, and fails it under CI=true.
func openSSHConfig(t *testing.T) (sftp.Config, string) {
	t.Helper()
	vars := []string{"SFTP_ADDR", "SFTP_USER", "SFTP_KEY", "SFTP_KNOWN_HOSTS", "SFTP_ROOT"}
	var missing []string
	for _, v := range vars {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s unset: the OpenSSH sftp server must run in CI", strings.Join(missing, ", "))
		}
		t.Skipf("%s unset: no OpenSSH sftp server to test against", strings.Join(missing, ", "))
	}
	return sftp.Config{
		Addr:           os.Getenv("SFTP_ADDR"),
		User:           os.Getenv("SFTP_USER"),
		KeyFile:        os.Getenv("SFTP_KEY"),
		KnownHostsFile: os.Getenv("SFTP_KNOWN_HOSTS"),
		// BaseDir empty: paths are relative to the login directory, which
		// is /upload inside the chroot, i.e. SFTP_ROOT on the host.
	}, os.Getenv("SFTP_ROOT")
}

func TestConformanceOpenSSH(t *testing.T) {
	cfg, root := openSSHConfig(t)
	remotetest.Run(t, remotetest.Harness{
		HostDir: root,
		New:     func(t *testing.T) xfer.Remote { return dial(t, cfg) },
	})
}

func TestOpenSSHHostKeyMismatch(t *testing.T) {
	cfg, _ := openSSHConfig(t)
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	other, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	cfg.KnownHostsFile = writeKnownHosts(t, cfg.Addr, other)
	c, err := sftp.Dial(t.Context(), cfg)
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded against a known_hosts holding another key")
	}
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) || len(ke.Want) != 1 {
		t.Fatalf("error %v: want *knownhosts.KeyError with the one known key", err)
	}
}

// TestOpenSSHFilesLandInRoot checks that a relative Put lands under
// SFTP_ROOT (the chroot's /upload) and that a second Put replaces it.
func TestOpenSSHFilesLandInRoot(t *testing.T) {
	cfg, root := openSSHConfig(t)
	c := dial(t, cfg)
	name := "openssh-" + filepath.Base(t.TempDir()) + ".edi"
	t.Cleanup(func() { os.Remove(filepath.Join(root, name)) })
	if err := c.Put(t.Context(), ".", name, strings.NewReader("ISA*openssh~")); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(t.Context(), ".", name, strings.NewReader("ISA*replaced~")); err != nil {
		t.Fatalf("second Put (replace through posix-rename): %v", err)
	}
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil || string(b) != "ISA*replaced~" {
		t.Fatalf("%s under SFTP_ROOT = %q, %v", name, b, err)
	}
}

func TestOpenSSHFileErrorsNotRetried(t *testing.T) {
	cfg, _ := openSSHConfig(t)
	checkFileErrorsNotRetried(t, cfg)
}
