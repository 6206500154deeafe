// Package intake polls a partner's inbox and turns remote files into
// durable, recorded inbound files, exactly once.
//
// For every listed file RunOnce:
//
//   - refuses names that fail transport.CleanName: they stay in the inbox,
//     are counted on every poll, and are logged and audited once (by
//     reason and a digest of the name, never the name itself);
//   - skips files that may still be written: size or modification time
//     changed between the two listings SettleTime apart, or the file is
//     younger than MinAge;
//   - downloads to the spool (fsynced, sha256) and records the file in the
//     store, unique per partner and content;
//   - only then moves the remote file to the archive folder, under
//     ArchiveName, the same name on every retry, and only if it is still
//     the file downloaded: a fresh Stat must show the listed size and
//     modification time, and a transport that hashes cheaply
//     (transport.Hasher: a local directory) must give the same SHA-256.
//     A file replaced under the same name meanwhile stays in the inbox
//     for the next poll (Result.Changed) instead of being archived
//     unread.
//
// Logs name a file by its inbound ID and transport.NameHash, never by its
// name, which can carry PHI; the store keeps the name.
//
// A crash at any point leaves either the remote file in the inbox (it is
// downloaded again, recognised by its digest and archived without a second
// row) or an archived file with its row: never a lost or doubled file.
// Several engines may poll one inbox: a file another engine archived first
// is counted as Gone, not as a failure.
//
//	p, err := intake.New(remote, st, sp, intake.Config{PartnerID: "acme", Inbox: "inbox", Archive: "archive"})
//	if err != nil {
//		return err
//	}
//	res, err := p.RunOnce(ctx) // res.Received are new rows for the processor
package intake
