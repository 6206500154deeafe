package forward

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Notes the forwarder records on corrections (store.Claim.Notes).
const (
	// NoteForwardedAsOriginal: a replacement whose original was never
	// forwarded went out as an original (CLM05-3 1, no REF*F8).
	NoteForwardedAsOriginal = "forwarded-as-original"
	// NoteOriginalNeverForwarded: a void whose original was never
	// forwarded; nothing was sent and the void is store.ClaimClosed.
	NoteOriginalNeverForwarded = "original-never-forwarded"
	// NoteF8Forwarded: the correction's REF*F8 was rewritten to the
	// nearest claim of its chain the partner received (the claim it
	// names directly was replaced before it was forwarded).
	NoteF8Forwarded = "f8-forwarded-original"
)

// corrAction is what the forwarder does with a replacement or void.
type corrAction int

const (
	corrForward    corrAction = iota // as received (its original was forwarded)
	corrAsOriginal                   // a replacement of a claim never forwarded
	corrClose                        // a void of a claim never forwarded
	corrWait                         // its original is still to be forwarded
)

// correction is the decision for one replacement or void.
type correction struct {
	action corrAction
	// orig is the nearest claim of the chain that was forwarded
	// (corrForward); refF8 is set when REF*F8 must be rewritten to it.
	orig  store.ClaimLink
	refF8 string
}

func isCorrection(frequency string) bool { return frequency == "7" || frequency == "8" }

// decideCorrection follows a replacement's or void's chain (the claim its
// REF*F8 named, the claim that one replaced, ...: store.CorrectionChain)
// to the nearest claim the partner received. Found: the correction goes to
// the partner that claim went to, naming it in REF*F8. None: a replacement
// is forwarded as an original, a void is closed. A claim of the chain
// still in effect and not forwarded (its correction settled before it was)
// makes the correction wait for a later run, after the original.
func decideCorrection(c store.Claim, chain []store.ClaimLink) correction {
	for i, l := range chain {
		if l.Forwarded() {
			out := correction{action: corrForward, orig: l}
			if i > 0 {
				out.refF8 = l.ControlNumber
			}
			return out
		}
		if l.State == store.ClaimAccepted || l.State == store.ClaimSuspect {
			return correction{action: corrWait}
		}
	}
	if c.Frequency == "8" {
		return correction{action: corrClose}
	}
	return correction{action: corrAsOriginal}
}

// closeVoids gives the voids of claims never forwarded their final state,
// with a note and an audit entry, in one transaction.
func (f *Forwarder) closeVoids(ctx context.Context, voids []store.Claim) error {
	if len(voids) == 0 {
		return nil
	}
	ids := make([]int64, len(voids))
	audit := make([]store.AuditEntry, len(voids))
	for i, c := range voids {
		ids[i] = c.ID
		audit[i] = store.AuditEntry{Actor: f.cfg.Owner, Action: "claim.closed", Entity: "claim",
			EntityID: strconv.FormatInt(c.ID, 10), Detail: "void not forwarded: " + NoteOriginalNeverForwarded}
	}
	err := f.st.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CloseClaims(ctx, ids, NoteOriginalNeverForwarded); err != nil {
			return err
		}
		return tx.AuditBatch(ctx, audit)
	})
	if err != nil {
		return fmt.Errorf("forward: close voids of claims never forwarded: %w", err)
	}
	for _, c := range voids {
		f.cfg.Logger.InfoContext(ctx, "void not forwarded: its original never was", slog.String("claim", c.ControlNumber))
	}
	return nil
}

// rewriteCorrection edits a found claim as its correction decision says,
// before it is priced (so REF*9A, not 9C, marks a claim forwarded as an
// original).
func rewriteCorrection(p *pending) error {
	switch {
	case p.corr.action == corrAsOriginal:
		if err := p.cl.SetFrequency("1"); err != nil {
			return fmt.Errorf("claim %s: forward as original: %w", p.row.ControlNumber, err)
		}
		if _, err := p.cl.RemoveRef("F8"); err != nil {
			return fmt.Errorf("claim %s: forward as original: %w", p.row.ControlNumber, err)
		}
	case p.corr.refF8 != "":
		if err := p.cl.SetRef("F8", p.corr.refF8); err != nil {
			return fmt.Errorf("claim %s: rewrite REF*F8: %w", p.row.ControlNumber, err)
		}
	}
	return nil
}

// correctionNote is the note (and the audit detail) that records how a
// correction was forwarded when it was not as received; "" for any other
// claim.
func correctionNote(p *pending) (note, detail string) {
	switch {
	case p.corr.action == corrAsOriginal:
		return NoteForwardedAsOriginal, "replacement forwarded as an original: its original was never forwarded"
	case p.corr.refF8 != "":
		return NoteF8Forwarded, "REF*F8 rewritten to " + p.corr.refF8 + ", the claim of its chain the partner received"
	}
	return "", ""
}
