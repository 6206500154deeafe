package sftp

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/clearinghouse/clearinghouse/transport/internal/xfer"
)

// retryable reports whether err is a connection failure worth a reconnect
// and retry. Host-key and authentication failures, refused names, file
// errors reported by the server, closed clients and context ends are not.
func retryable(err error) bool {
	var (
		keyErr     *knownhosts.KeyError
		revokedErr *knownhosts.RevokedError
		perm       permanent
		status     *sftp.StatusError
		opErr      *net.OpError
	)
	switch {
	case err == nil:
		return false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, xfer.ErrClosed), errors.Is(err, xfer.ErrUnsafeName),
		errors.As(err, &keyErr), errors.As(err, &revokedErr), errors.As(err, &perm):
		return false
	case errors.Is(err, ErrIOTimeout),
		errors.Is(err, sftp.ErrSSHFxConnectionLost), errors.Is(err, sftp.ErrSSHFxNoConnection):
		return true
	case errors.As(err, &status):
		code := status.FxCode()
		return code == sftp.ErrSSHFxConnectionLost || code == sftp.ErrSSHFxNoConnection
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH):
		return true
	case errors.As(err, &opErr), errors.Is(err, os.ErrDeadlineExceeded):
		// Only errors of the network connection itself: a bare
		// syscall.Errno also satisfies net.Error, and ENOTDIR from a
		// file operation must not be retried.
		return true
	}
	return false
}
