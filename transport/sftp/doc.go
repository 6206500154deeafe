// Package sftp is a transport.Remote over SFTP (github.com/pkg/sftp on
// golang.org/x/crypto/ssh), for partner inboxes and outboxes.
//
// Security: the server's host key is always checked against a known_hosts
// file (knownhosts); there is no option to skip it. HostKeyAlgorithms is set
// from the key types known_hosts lists for the address, so a server that
// also holds other key types cannot make the handshake pick one we cannot
// verify. A host-key mismatch or an unknown host fails Dial with an error
// that errors.As turns into a *knownhosts.KeyError, and is never retried;
// neither are authentication failures. Paths are checked with
// transport.CleanPath/CleanName and joined to Config.BaseDir, so a Client
// never sends ".." or an absolute path of its own making; the server's
// chroot or jail is the second line of defence.
//
// Robustness: DialTimeout bounds connecting; IOTimeout drops a connection on
// which an operation (or a transfer step) made no progress, and ctx
// cancellation does the same, because pkg/sftp calls cannot be interrupted
// otherwise. When the connection drops, the next attempt redials, with
// exponential backoff and jitter, at most MaxAttempts times. Put retries the
// whole upload if its source is an io.Seeker; Rename and Remove treat "source
// already gone" on a retry as success.
//
// Put uploads to dir/.name.part and renames it with
// posix-rename@openssh.com (atomic replace); servers without that extension
// get Remove then Rename.
//
// Example:
//
//	c, err := sftp.Dial(ctx, sftp.Config{
//		Addr:           "127.0.0.1:22022",
//		User:           "edi",
//		KeyFile:        "/etc/clearinghouse/edi_ed25519",
//		KnownHostsFile: "/etc/clearinghouse/known_hosts",
//		// BaseDir "" = login directory (OpenSSH chroot: /upload)
//	})
//	if err != nil {
//		var ke *knownhosts.KeyError
//		if errors.As(err, &ke) {
//			// host key changed or unknown: alert an operator
//		}
//		return err
//	}
//	defer c.Close()
//	files, err := c.List(ctx, "inbox")
package sftp
