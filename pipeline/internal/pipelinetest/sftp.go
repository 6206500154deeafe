package pipelinetest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/clearinghouse/clearinghouse/transport/sftp"
	"github.com/clearinghouse/clearinghouse/transport/sftpserver"
)

// SFTP user name of the fixture server.
const sftpUser = "acme"

// Environment variables SFTP.Env sets for a child process.
const (
	envSFTPAddr       = "PIPELINETEST_SFTP_ADDR"
	envSFTPKey        = "PIPELINETEST_SFTP_KEY"
	envSFTPKnownHosts = "PIPELINETEST_SFTP_KNOWN_HOSTS"
)

// SFTP is an embedded SFTP server (transport/sftpserver) on loopback with
// one user jailed to Root, and the key files a client needs.
type SFTP struct {
	Server *sftpserver.Server
	// Root is the user's jail on local disk: the remote's "/".
	Root string
	// Keys are the host and client keys; Keys.KnownHosts lists the
	// server's host key at its address.
	Keys *sftpserver.KeyFiles
}

// StartSFTP starts a server whose user is jailed to root (created when
// missing), on addr ("" = 127.0.0.1:0) with the host key in keyDir
// (created when missing; reuse a keyDir to keep the host key, use another
// to get a different one). It is closed when t ends.
func StartSFTP(t testing.TB, root, keyDir, addr string) *SFTP {
	t.Helper()
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	keys, err := sftpserver.GenerateKeys(keyDir)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sftpserver.New(sftpserver.Config{
		Addr:        addr,
		HostKeyFile: keys.HostKey,
		Users:       []sftpserver.User{{Name: sftpUser, Root: root, AuthorizedKeys: []ssh.PublicKey{keys.ClientPublicKey}}},
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
	return &SFTP{Server: srv, Root: root, Keys: keys}
}

// NewSFTP starts a server on a fresh root and key directory under
// t.TempDir().
func NewSFTP(t testing.TB) *SFTP {
	t.Helper()
	dir := t.TempDir()
	return StartSFTP(t, filepath.Join(dir, "root"), filepath.Join(dir, "keys"), "")
}

// Config returns a client configuration for the server, trusting the
// host key in Keys.KnownHosts, with short reconnect backoffs.
func (s *SFTP) Config() sftp.Config {
	return sftpConfig(s.Server.Addr(), s.Keys.ClientKey, s.Keys.KnownHosts)
}

// Dial connects a client, closed when t ends.
func (s *SFTP) Dial(t testing.TB) *sftp.Client {
	t.Helper()
	c, err := sftp.Dial(t.Context(), s.Config())
	if err != nil {
		t.Fatalf("dial sftp: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Env returns the environment a child needs to reach the server with
// ConfigFromEnv.
func (s *SFTP) Env() map[string]string {
	return map[string]string{
		envSFTPAddr:       s.Server.Addr(),
		envSFTPKey:        s.Keys.ClientKey,
		envSFTPKnownHosts: s.Keys.KnownHosts,
	}
}

// SFTPConfigFromEnv returns, in a child, the client configuration that
// SFTP.Env passed.
func SFTPConfigFromEnv() sftp.Config {
	return sftpConfig(Env(envSFTPAddr), Env(envSFTPKey), Env(envSFTPKnownHosts))
}

func sftpConfig(addr, key, knownHosts string) sftp.Config {
	return sftp.Config{
		Addr:           addr,
		User:           sftpUser,
		KeyFile:        key,
		KnownHostsFile: knownHosts,
		MaxAttempts:    2,
		BackoffMin:     time.Millisecond,
		BackoffMax:     10 * time.Millisecond,
	}
}
