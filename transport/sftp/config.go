package sftp

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path"
	"strings"
	"time"
)

// Config configures a Client. Addr, User, KnownHostsFile and at least one of
// KeyFile or Password are required.
type Config struct {
	// Addr is the server's "host:port"; a bare host means port 22.
	Addr string
	// User is the SSH user name.
	User string
	// KeyFile is a private key file in OpenSSH (or PEM) format for public-key
	// authentication.
	KeyFile string
	// KeyPassphrase decrypts KeyFile when it is encrypted.
	KeyPassphrase string
	// Password enables password (and keyboard-interactive) authentication.
	Password string
	// KnownHostsFile is an OpenSSH known_hosts file. The server's host key
	// must be listed there for Addr (non-22 ports as "[host]:port"); there is
	// no way to skip the check. The file is read once, by Dial.
	KnownHostsFile string
	// BaseDir is the directory every Remote path is relative to. Empty means
	// the login directory (the chroot's start directory on OpenSSH, "/upload"
	// in CI); a relative BaseDir is relative to the login directory.
	BaseDir string
	// DialTimeout bounds the TCP connect plus the SSH handshake and the SFTP
	// session start. Default 15s.
	DialTimeout time.Duration
	// IOTimeout is how long one operation, or one step of a transfer, may
	// make no progress before the connection is dropped and the operation
	// fails (and is retried). Default 60s.
	IOTimeout time.Duration
	// MaxAttempts is how many times an operation is tried when the
	// connection fails (1 = no retry). Default 4.
	MaxAttempts int
	// BackoffMin is the wait before the first reconnect; it doubles, with
	// jitter, up to BackoffMax. Defaults 250ms and 10s.
	BackoffMin, BackoffMax time.Duration
	// Logger receives connect, reconnect and retry events. Default: discard.
	Logger *slog.Logger

	// disablePosixRename makes the client act as if the server lacked the
	// posix-rename@openssh.com extension (tests of the fallback path).
	disablePosixRename bool
}

// withDefaults returns a copy of c with defaults filled in, or an error
// naming the first invalid field.
func (c Config) withDefaults() (Config, error) {
	if c.Addr == "" {
		return c, errors.New("sftp config: Addr is required")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		c.Addr = net.JoinHostPort(strings.Trim(c.Addr, "[]"), "22")
	}
	if c.User == "" {
		return c, errors.New("sftp config: User is required")
	}
	if c.KnownHostsFile == "" {
		return c, errors.New("sftp config: KnownHostsFile is required (host keys are always verified)")
	}
	if c.KeyFile == "" && c.Password == "" {
		return c, errors.New("sftp config: KeyFile or Password is required")
	}
	if strings.ContainsRune(c.BaseDir, 0) {
		return c, errors.New("sftp config: BaseDir contains NUL")
	}
	if c.BaseDir != "" {
		c.BaseDir = path.Clean(c.BaseDir)
		if c.BaseDir == "." {
			c.BaseDir = ""
		}
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 15 * time.Second
	}
	if c.IOTimeout <= 0 {
		c.IOTimeout = 60 * time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 4
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = 250 * time.Millisecond
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = 10 * time.Second
	}
	if c.BackoffMax < c.BackoffMin {
		return c, fmt.Errorf("sftp config: BackoffMax %v is below BackoffMin %v", c.BackoffMax, c.BackoffMin)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
