package sftp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"syscall"
	"testing"

	psftp "github.com/pkg/sftp"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
	"github.com/clearinghouse/clearinghouse/transport/sftp"
)

var retryableTests = []struct {
	name string
	err  error
	want bool
}{
	{"nil", nil, false},
	{"connection lost", psftp.ErrSSHFxConnectionLost, true},
	{"wrapped connection lost", fmt.Errorf("sftp list: %w", psftp.ErrSSHFxConnectionLost), true},
	{"eof", io.EOF, true},
	{"unexpected eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
	{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}, true},
	{"read reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
	{"closed conn", net.ErrClosed, true},
	{"deadline", os.ErrDeadlineExceeded, true},
	{"io timeout", fmt.Errorf("%w after 1s", sftp.ErrIOTimeout), true},
	{"not a directory", &fs.PathError{Op: "mkdir", Path: "x", Err: syscall.ENOTDIR}, false},
	{"not exist", fmt.Errorf("open: %w", os.ErrNotExist), false},
	{"permission", os.ErrPermission, false},
	{"server failure", &psftp.StatusError{Code: 4}, false},
	{"server no connection", &psftp.StatusError{Code: 6}, true},
	{"host key mismatch", fmt.Errorf("ssh: handshake failed: %w", &knownhosts.KeyError{Want: []knownhosts.KnownKey{{}}}), false},
	{"unknown host", fmt.Errorf("ssh: handshake failed: %w", &knownhosts.KeyError{}), false},
	{"revoked", &knownhosts.RevokedError{}, false},
	{"auth", errors.New("ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey]"), false},
	{"canceled with eof", fmt.Errorf("%w (%w)", context.Canceled, io.EOF), false},
	{"deadline exceeded", context.DeadlineExceeded, false},
	{"unsafe name", &xfer.NameError{Name: "..", Reason: "path traversal"}, false},
	{"closed remote", xfer.ErrClosed, false},
}

func TestRetryable(t *testing.T) {
	for _, tt := range retryableTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sftp.Retryable(tt.err); got != tt.want {
				t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
