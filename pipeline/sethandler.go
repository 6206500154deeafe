package pipeline

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// SetHandler takes the transaction sets of kinds other than the 837
// claims the Processor handles itself: 835 remittances a TPA returns, 270
// eligibility and 276 claim status inquiries. The Processor accepts the
// kinds a configured handler names (ProcessorConfig.SetHandlers), gives
// the handler each set's body while the file streams, and settles each
// set once its interchange's verdict (TA1, 999) is known. Everything a
// handler writes goes through the file's transaction, so its rows and the
// files it queues are committed with the file's acknowledgments, or not
// at all.
type SetHandler interface {
	// Kinds are the (GS01, ST01, implementation convention) keys of the
	// sets the handler takes, e.g. {"HP", "835", "005010X221A1"}.
	Kinds() []envelope.SetKey
	// Begin starts one set. It returns the receiver of the set body's
	// schema events (nil when the set has no schema, or when the handler
	// needs none) and the SetWork that records and settles the set; a nil
	// SetWork leaves the set to the envelope layer alone.
	Begin(sc *SetContext, info validate.SetInfo) (schema.Handler, SetWork)
}

// SetWork is the work a SetHandler does for one set.
type SetWork interface {
	// End is called once the set's trailer is read, with its IK501 and
	// issues, before the interchange's verdict is known. It runs on the
	// file's recorder (in file order with the claims of 837 sets) and may
	// read and write through sc.Tx and spool what it will answer; sr.Ack
	// says whether the set's own 999 verdict accepts it.
	End(sc *SetContext, sr validate.SetResult) error
	// Settle is called when the set's interchange ends: accepted is the
	// final verdict (the set, its group and its interchange accepted);
	// txID is the set's row in the transactions table. A set that is not
	// accepted must leave no business effect: Settle undoes what End did.
	Settle(sc *SetContext, s *SetOutcome) error
}

// SetOutcome is the final verdict of one set, given to SetWork.Settle.
type SetOutcome struct {
	Interchange *envelope.Interchange
	Group       *envelope.Group
	Set         *envelope.Set
	Accepted    bool
	// Reasons, when the set is not accepted, are the codes of the layers
	// that rejected it, e.g. "IK5:R:5" or "TA1:R:006".
	Reasons string
	// TransactionID is the set's row in the transactions table.
	TransactionID int64
}

// SetContext is what a SetHandler may use while a file is processed: the
// file, its transaction, the clock and logger, and the file's outbound
// queue. It is only valid during the Processor call that made it.
type SetContext struct {
	run *fileRun
	// Ctx is the processing context.
	Ctx context.Context
	// File is the inbound file being processed.
	File *store.InboundFile
	// Tx reads and writes in the file's transaction.
	Tx *store.Queries
	// Seq draws control numbers (outside the transaction on PostgreSQL,
	// so a rolled-back attempt leaves a gap, never a locked sequence).
	Seq *store.Queries
	// Log is the file's logger (inbound_id and partner attached). Never
	// log PHI or remote file names with it.
	Log *slog.Logger
	// Identity is who we are in the envelopes we write; Usage is ISA15
	// (empty: echo the received one).
	Identity Identity
	Usage    string
}

// Now returns the Processor's clock.
func (sc *SetContext) Now() time.Time { return sc.run.p.cfg.Now() }

// OpenInbound opens the raw inbound file (for example to copy a set's
// bytes as received, by the offsets of its segments).
func (sc *SetContext) OpenInbound() (io.ReadSeekCloser, error) {
	return sc.run.p.spool.OpenContext(sc.Ctx, sc.File.SpoolPath)
}

// Spool stores data in the spool's outbound area; queue it with
// EnqueueSpooled once the set is settled.
func (sc *SetContext) Spool(data []byte) (spool.File, error) {
	return sc.run.p.spool.PutBytes(sc.Ctx, "outbound", data)
}

// SpoolReader stores r in the spool's outbound area, streaming.
func (sc *SetContext) SpoolReader(r io.Reader) (spool.File, error) {
	return sc.run.p.spool.Put(sc.Ctx, "outbound", r)
}

// Enqueue spools data and queues it for partner (empty: the sending
// partner) as kind and name, in the file's transaction. Names follow the
// rules of the acknowledgments: a name this run already used gets a
// numbered suffix; a name an earlier run of this file queued is not queued
// again; a name held by another file is ErrNameCollision.
func (sc *SetContext) Enqueue(partner, kind, name string, data []byte) error {
	f, err := sc.Spool(data)
	if err != nil {
		return err
	}
	return sc.EnqueueSpooled(partner, kind, name, f)
}

// EnqueueSpooled queues an already spooled file (see Enqueue).
func (sc *SetContext) EnqueueSpooled(partner, kind, name string, f spool.File) error {
	return sc.run.enqueueTo(partner, kind, name, f)
}

// NameBase is the part of an outbound name that identifies interchange
// ic of this file (see AckNameBase): answers named
// <kind>-<NameBase>-<GS06>-<ST02>.x12 are unique and stable across
// reprocessing.
func (sc *SetContext) NameBase(ic *envelope.Interchange) string { return sc.run.nameBase(ic) }

// Count adds n to the file result's outcome counter key (for example
// "remittance_claims_matched"); counters appear in `process --json`.
func (sc *SetContext) Count(key string, n int) {
	if n != 0 {
		sc.run.result.Outcomes[key] += n
	}
}

// Reject adds n to the file result's rejection counter for reason.
func (sc *SetContext) Reject(reason string, n int) {
	if n != 0 {
		sc.run.result.Rejections[reason] += n
	}
}

// setHandlerFor returns the configured handler of a set kind, or nil.
func (p *Processor) setHandlerFor(gs01, st01, version string) SetHandler {
	for _, h := range p.cfg.SetHandlers {
		for _, k := range h.Kinds() {
			if k.FunctionalID == gs01 && k.ID == st01 && k.Version == version {
				return h
			}
		}
	}
	return nil
}

// supported is the list of set kinds the Processor accepts: the 837
// claims and the kinds of the configured set handlers.
func (p *Processor) supported() []envelope.SetKey {
	if len(p.cfg.SetHandlers) == 0 {
		return envelope.Claims
	}
	out := append([]envelope.SetKey(nil), envelope.Claims...)
	for _, h := range p.cfg.SetHandlers {
		out = append(out, h.Kinds()...)
	}
	return out
}

// setContext returns the run's SetContext, made on first use.
func (r *fileRun) setContext() *SetContext {
	if r.sc == nil {
		r.sc = &SetContext{run: r, Ctx: r.ctx, File: r.file, Tx: r.q, Seq: r.seq, Log: r.log,
			Identity: r.p.cfg.Identity, Usage: r.p.cfg.Usage}
	}
	return r.sc
}

// beginSet starts a set a SetHandler takes and returns its event handler.
func (r *fileRun) beginSet(h SetHandler, info validate.SetInfo) schema.Handler {
	eh, work := h.Begin(r.setContext(), info)
	r.work = work
	return eh
}

// endSet hands the current handler set to the recorder.
func (r *fileRun) endSet(sr validate.SetResult) {
	work := r.work
	r.work = nil
	if r.claimErr != nil || r.recFail.Load() {
		return
	}
	r.jobsDone.Add(1)
	r.in <- recordJob{sr: sr, work: work}
}

// recordWork runs a handler set's End on the recorder.
func (r *fileRun) recordWork(job recordJob) error {
	sr := job.sr
	if err := job.work.End(r.setContext(), sr); err != nil {
		return fmt.Errorf("%s set %s: %w", sr.ID, sr.Control, err)
	}
	r.works[setKey{sr.Interchange, sr.Group, sr.Control, sr.Offset}] = job.work
	return nil
}

// settleWork settles a handler set with its final verdict.
func (r *fileRun) settleWork(work SetWork, ic *envelope.Interchange, g *envelope.Group, s *envelope.Set, txID int64) error {
	out := &SetOutcome{Interchange: ic, Group: g, Set: s, Accepted: ic.SetAccepted(g, s), TransactionID: txID}
	if !out.Accepted {
		out.Reasons = rejectionReasons(ic, g, s)
	}
	if err := work.Settle(r.setContext(), out); err != nil {
		return fmt.Errorf("%s set %s (transaction %s): %w", s.ID, s.Control, strconv.FormatInt(txID, 10), err)
	}
	return nil
}
