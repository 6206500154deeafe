// Package transport moves X12 files between the engine and its trading
// partners. Partners drop files in SFTP inboxes (or on-prem drop folders);
// the engine lists and reads them, archives them with Rename, and delivers
// outbound files (999, 277CA, 835, ...) with Put, which is atomic: a partner
// never sees a half-written file, and a retry after a crash leaves exactly
// one copy.
//
// The pipeline depends only on the Remote interface. Implementations:
//
//   - transport/dir: a local directory, confined with os.Root.
//   - transport/sftp: an SFTP client with verified host keys, timeouts and
//     reconnect with backoff.
//   - transport/sftpserver: an embedded SFTP server for the demo and tests.
//
// Open builds a Remote from a URL (dir:/path, file:///path,
// sftp://user@host:port/base) and an Options struct for credentials.
// Names coming from partners must pass CleanName before use.
//
// Example:
//
//	r, err := transport.Open(ctx, "sftp://edi@sftp.acme.example:22/upload", transport.Options{
//		KeyFile:        "/etc/clearinghouse/acme_ed25519",
//		KnownHostsFile: "/etc/clearinghouse/known_hosts",
//	})
//	if err != nil {
//		return err
//	}
//	defer r.Close()
//	files, err := r.List(ctx, "inbox")
//	for _, f := range files {
//		if _, err := transport.CleanName(f.Name); err != nil {
//			continue // quarantine: never build a path from it
//		}
//		rc, err := r.Open(ctx, "inbox/"+f.Name)
//		// ... spool, record, then r.Rename(ctx, "inbox/"+f.Name, "archive/"+f.Name)
//	}
//	err = r.Put(ctx, "outbox", "999_000000001.x12", bytes.NewReader(ack))
package transport
