// Package sftpserver is a small embedded SFTP server for the demo
// (make run) and for tests that need SFTP without an OpenSSH sshd.
//
// It serves only the "sftp" subsystem (no shell, exec or forwarding) over
// golang.org/x/crypto/ssh, with pkg/sftp's request server and its own
// handlers. Each user is jailed to a root directory through an os.Root:
// request paths are cleaned to absolute form and resolved below the root,
// and symbolic links that lead outside are refused by the kernel-backed
// root, so "../../etc/passwd" reads the jail's own etc/passwd, if any.
// Creating symbolic or hard links is refused. Supported: open/read/write,
// stat/lstat, readdir, mkdir, rmdir, remove, setstat (size, mode, times),
// rename (fails if the target exists, as SFTPv3 says) and
// posix-rename@openssh.com (replaces the target). Files are created 0640
// and folders 0750. Setstat never changes the jail root or an owner, and
// allows modes only within 0660 (files) and 0770 (folders) that keep the
// owner's access; sizes and times of the user's files may change.
//
// Users authenticate with authorized public keys and/or a password. The host
// key is ed25519, loaded from a file or generated and saved there. The
// server listens on 127.0.0.1:0 by default; Addr reports the port picked and
// WriteKnownHosts writes the matching "[127.0.0.1]:PORT ssh-ed25519 ..."
// line for clients.
//
// Example (demo setup):
//
//	keys, err := sftpserver.GenerateKeys("var/demo/keys")
//	if err != nil {
//		return err
//	}
//	srv, err := sftpserver.New(sftpserver.Config{
//		HostKeyFile: keys.HostKey,
//		Users: []sftpserver.User{{
//			Name:           "acme",
//			Root:           "var/demo/sftp/acme",
//			AuthorizedKeys: []ssh.PublicKey{keys.ClientPublicKey},
//		}},
//	})
//	if err != nil {
//		return err
//	}
//	if err := srv.Start(ctx); err != nil {
//		return err
//	}
//	defer srv.Close()
//	if err := srv.WriteKnownHosts(keys.KnownHosts); err != nil {
//		return err
//	}
//	// clients: sftp://acme@<srv.Addr()> with keys.ClientKey and keys.KnownHosts
package sftpserver
