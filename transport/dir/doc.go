// Package dir is a transport.Remote over a local directory: on-prem drop
// folders shared with partners, and tests.
//
// Every path is resolved through an os.Root opened on the base directory,
// so neither "..", absolute paths nor symbolic links (relative or absolute)
// can reach outside it; names are also checked with transport.CleanPath and
// CleanName before any file-system call.
//
// Put writes dir/.name.part, fsyncs it, renames it over dir/name and fsyncs
// the directory, so after a crash the directory holds either the old file or
// the complete new one, and a retry truncates any leftover temp file.
// Rename replaces an existing target (rename(2)).
//
// Example:
//
//	r, err := dir.New("/srv/edi/acme")
//	if err != nil {
//		return err
//	}
//	defer r.Close()
//	if err := r.MkdirAll(ctx, "outbox"); err != nil {
//		return err
//	}
//	err = r.Put(ctx, "outbox", "999_000000001.x12", bytes.NewReader(ack))
package dir
