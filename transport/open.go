package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/clearinghouse/clearinghouse/transport/dir"
	"github.com/clearinghouse/clearinghouse/transport/sftp"
)

// Options carries what a Remote URL cannot hold: secrets, file locations
// and timeouts. Only the SFTP fields exist today; a dir: URL ignores them.
type Options struct {
	// KeyFile is the SSH private key (OpenSSH format) for SFTP.
	KeyFile string
	// KeyPassphrase decrypts KeyFile if it is encrypted.
	KeyPassphrase string
	// Password enables SFTP password authentication.
	Password string
	// KnownHostsFile is the known_hosts file holding the server's host key.
	// Required for SFTP: host keys are always verified.
	KnownHostsFile string
	// DialTimeout bounds connect + SSH handshake. Default 15s.
	DialTimeout time.Duration
	// IOTimeout is how long an operation may make no progress. Default 60s.
	IOTimeout time.Duration
	// MaxAttempts bounds tries of an operation across reconnects. Default 4.
	MaxAttempts int
	// Logger receives connection events. Default: discard.
	Logger *slog.Logger
}

// Open returns the Remote a URL names. Accepted forms:
//
//	dir:/srv/edi/acme           local directory (must exist)
//	dir:relative/path           local directory, relative to the working dir
//	file:///srv/edi/acme        same as dir:/srv/edi/acme
//	sftp://edi@host             SFTP, port 22, base = login directory
//	sftp://edi@host:2222/upload SFTP, base = absolute /upload
//	sftp://edi@host/~/partners  SFTP, base = partners under the login directory
//
// The SFTP user is required. Passwords and query parameters are refused in
// the URL; put credentials in opts. For dir: and file: URLs opts is unused.
// For SFTP, Open connects (see sftp.Dial), so host-key and login errors show
// up here.
func Open(ctx context.Context, rawURL string, opts Options) (Remote, error) {
	t, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	switch t.scheme {
	case "dir":
		r, err := dir.New(t.path)
		if err != nil {
			return nil, err
		}
		return r, nil
	default:
		c, err := sftp.Dial(ctx, sftp.Config{
			Addr:           t.addr,
			User:           t.user,
			BaseDir:        t.path,
			KeyFile:        opts.KeyFile,
			KeyPassphrase:  opts.KeyPassphrase,
			Password:       opts.Password,
			KnownHostsFile: opts.KnownHostsFile,
			DialTimeout:    opts.DialTimeout,
			IOTimeout:      opts.IOTimeout,
			MaxAttempts:    opts.MaxAttempts,
			Logger:         opts.Logger,
		})
		if err != nil {
			return nil, err
		}
		return c, nil
	}
}

// target is a parsed Remote URL.
type target struct {
	scheme string // "dir" or "sftp"
	path   string // local dir, or SFTP base ("" = login dir)
	user   string
	addr   string // host:port
}

// parseURL splits a Remote URL without touching the network or disk.
func parseURL(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("transport url: %w", err)
	}
	bad := func(format string, a ...any) (target, error) {
		return target{}, fmt.Errorf("transport url %q: "+format, append([]any{u.Redacted()}, a...)...)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return bad("query and fragment are not supported")
	}
	switch u.Scheme {
	case "dir", "file":
		p := u.Path
		if u.Opaque != "" {
			p = u.Opaque
		}
		if u.Host != "" && u.Host != "localhost" {
			return bad("a local directory cannot have a host")
		}
		if u.User != nil {
			return bad("a local directory cannot have a user")
		}
		if p == "" {
			return bad("missing directory")
		}
		return target{scheme: "dir", path: p}, nil
	case "sftp":
		if u.Opaque != "" || u.Host == "" {
			return bad("want sftp://user@host[:port][/base]")
		}
		if u.User == nil || u.User.Username() == "" {
			return bad("missing user")
		}
		if _, has := u.User.Password(); has {
			return bad("password in url; use Options.Password")
		}
		host, port := u.Hostname(), u.Port()
		if port == "" {
			port = "22"
		}
		base := u.Path
		switch {
		case base == "":
		case base == "/~" || base == "/~/":
			base = ""
		case strings.HasPrefix(base, "/~/"):
			base = strings.TrimPrefix(base, "/~/")
		}
		return target{scheme: "sftp", user: u.User.Username(), addr: net.JoinHostPort(host, port), path: base}, nil
	case "":
		return bad("missing scheme (dir:, file: or sftp:)")
	}
	return target{}, errors.New("transport url: unsupported scheme " + u.Scheme)
}
