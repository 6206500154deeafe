// Package outbox queues outbound files (acknowledgments, 277CAs, forwarded
// claims) durably and delivers each to its partner exactly once.
//
// Enqueue spools the bytes and records the file under a name that is
// unique per partner; enqueueing the same name again is a no-op that
// returns the first row (the first bytes win, so a reprocessed inbound
// file queues nothing twice). Deliver claims queued files with a lease,
// renews it while the upload runs, uploads each under a temporary name and
// renames it into place (transport.Remote.Put), then marks it delivered.
// A crash between upload and the mark leaves the lease to expire; the
// retry renames the same bytes over the same name, so the partner still
// sees one file. A crash before the rename leaves only a hidden ".part"
// file, which the retry overwrites.
//
//	rec, created, err := outbox.Enqueue(ctx, st, sp, store.OutboundFile{
//		PartnerID: "acme", Kind: store.Kind999, Name: "999-42-000000001-1.x12"}, ack)
//	d, err := outbox.NewDeliverer(st, sp, map[string]outbox.Target{
//		"acme": {Remote: remote, Dir: "outbox"}}, outbox.Config{Owner: "host-1"})
//	res, err := d.RunOnce(ctx) // res.Delivered, res.Failed
package outbox
