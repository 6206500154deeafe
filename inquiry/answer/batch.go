package answer

import (
	"bufio"
	"fmt"
	"os"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/envelope"
	"github.com/clearinghouse/clearinghouse/edi/schema"
	"github.com/clearinghouse/clearinghouse/edi/validate"
	"github.com/clearinghouse/clearinghouse/internal/spool"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline"
)

// Handler answers the 270 and 276 sets of files in partners' inboxes
// (pipeline.SetHandler): each accepted set gets its 271 or 277, named
// <271|277>-<NameBase>-<GS06>-<ST02>.x12, queued to the sending partner
// with the file's 999, exactly once. Claim status answers search the
// sending partner's claims only.
type Handler struct {
	Answerer *Answerer
}

var _ pipeline.SetHandler = (*Handler)(nil)

// Kinds implements pipeline.SetHandler.
func (h *Handler) Kinds() []envelope.SetKey { return h.Answerer.Kinds() }

// Begin implements pipeline.SetHandler: the set's inquiries are decoded
// while the file streams and kept (in a temporary file past 1 MiB) until
// the set ends.
func (h *Handler) Begin(_ *pipeline.SetContext, info validate.SetInfo) (schema.Handler, pipeline.SetWork) {
	c := newCollector(info.ID)
	return c, &setWork{a: h.Answerer, c: c}
}

type setWork struct {
	a        *Answerer
	c        *collector
	answer   spool.File
	answered bool
	stats    Stats
}

// End answers the set from the roster or the claims, in the file's
// transaction, and spools the answer; nothing is queued yet.
func (w *setWork) End(sc *pipeline.SetContext, sr validate.SetResult) error {
	defer w.c.sp.close()
	if !ack.IsAccepted(sr.Ack) {
		return nil // its 999 rejects it: no answer
	}
	tmp, err := os.CreateTemp("", "clearinghouse-answer-*")
	if err != nil {
		return err
	}
	_ = os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	ctl := PartnerControls{Seq: sc.Seq, Partner: sc.File.PartnerID}
	info := sr.SetInfo
	st, err := w.a.answerSet(sc.Ctx, sc.Tx, sc.File.PartnerID, &info, w.c, ctl, bw)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if _, err := tmp.Seek(0, 0); err != nil {
		return err
	}
	if w.answer, err = sc.SpoolReader(tmp); err != nil {
		return err
	}
	w.answered, w.stats = true, st
	return nil
}

// Settle queues the answer of an accepted set.
func (w *setWork) Settle(sc *pipeline.SetContext, s *pipeline.SetOutcome) error {
	if !s.Accepted || !w.answered {
		return nil
	}
	kind := store.Kind271
	if w.c.kind == "276" {
		kind = store.Kind277
		sc.Count("status_inquiries", w.stats.Inquiries)
		sc.Count("status_found", w.stats.Found)
		sc.Count("status_not_found", w.stats.NotFound)
	} else {
		sc.Count("eligibility_inquiries", w.stats.Inquiries)
		sc.Count("eligibility_active", w.stats.Active)
		sc.Count("eligibility_inactive", w.stats.Inactive)
		sc.Count("eligibility_rejected", w.stats.Rejected)
	}
	name := fmt.Sprintf("%s-%s-%s-%s.x12", kind, sc.NameBase(s.Interchange), s.Group.Control, s.Set.Control)
	return sc.EnqueueSpooled("", kind, name, w.answer)
}
