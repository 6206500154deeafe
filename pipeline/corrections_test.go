package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestCorrectionsInOneFile: the REF*F8 rules hold inside one file exactly
// as across files — a second correction of an original already replaced
// or voided earlier in the same file is rejected, and the chain of the
// original holds every accepted member in order.
func TestCorrectionsInOneFile(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			b := setupRules(t, be.URL(t), true)
			ctx := context.Background()
			orig, _ := b.process(t, file837("000000401", claimSpec{clm01: "PCN-A"}, claimSpec{clm01: "PCN-B", code: "A0429"}))
			a, bb := orig[0].ControlNumber, orig[1].ControlNumber

			// One file: a replacement and a void of A; a void, a replacement
			// and a second void of B.
			got, ack := b.process(t, file837("000000402",
				claimSpec{clm01: "PCN-A", freq: "7", f8: a, charge: "175"},
				claimSpec{clm01: "PCN-A", freq: "8", f8: a},
				claimSpec{clm01: "PCN-B", freq: "8", f8: bb, code: "A0429"},
				claimSpec{clm01: "PCN-B", freq: "7", f8: bb, code: "A0429", charge: "160"},
				claimSpec{clm01: "PCN-B", freq: "8", f8: bb, code: "A0429"},
			))
			want := []struct {
				state store.ClaimState
				note  string
			}{
				{store.ClaimAccepted, ""},
				{store.ClaimRejected, "f8-already-replaced"},
				{store.ClaimAccepted, ""},
				{store.ClaimRejected, "f8-already-voided"},
				{store.ClaimRejected, "f8-already-voided"},
			}
			for i, w := range want {
				if got[i].State != w.state || (w.note != "" && got[i].Notes != w.note) {
					t.Errorf("claim %d (%s freq %s): %s %q, want %s %q", i, got[i].CLM01, got[i].Frequency, got[i].State, got[i].Notes, w.state, w.note)
				}
				if got[i].State == store.ClaimRejected && got[i].ReplacesClaimID != nil {
					t.Errorf("claim %d rejected but linked to claim %d", i, *got[i].ReplacesClaimID)
				}
			}
			if strings.Count(ack, "STC*A7:464") != 3 {
				t.Errorf("277CA rejects %d corrections, want 3:\n%s", strings.Count(ack, "STC*A7:464"), ack)
			}
			oa, _ := b.store.GetClaimByControl(ctx, a)
			ob, _ := b.store.GetClaimByControl(ctx, bb)
			if oa.State != store.ClaimReplaced || ob.State != store.ClaimVoided {
				t.Fatalf("originals: A %s, B %s; want replaced, voided", oa.State, ob.State)
			}
			// What the submitter was told about the original stays.
			if oa.Reasons != "A2:20" {
				t.Errorf("replaced original's reasons %q, want A2:20 kept", oa.Reasons)
			}
			next, err := b.store.FindReplacement(ctx, oa.ID)
			if err != nil || next.ID != got[0].ID {
				t.Fatalf("chain of A: %v, %v; want the replacement", next, err)
			}
		})
	}
}

// TestReprocessAfterCorrection: a file whose claims were replaced by a
// later file can be reprocessed (the replaced claims are kept with their
// numbers and links), and so can the file of the replacement (it is
// decided again against its original, which it replaces again).
func TestReprocessAfterCorrection(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			b := setupRules(t, be.URL(t), true)
			ctx := context.Background()
			orig, _ := b.process(t, file837("000000411", claimSpec{clm01: "PCN-A"}, claimSpec{clm01: "PCN-B", code: "A0429"}))
			repl, _ := b.process(t, file837("000000412", claimSpec{clm01: "PCN-A", freq: "7", f8: orig[0].ControlNumber, charge: "175"}))

			reprocess := func(fileID int64) []store.Claim {
				t.Helper()
				if err := b.store.ResetInbound(ctx, fileID); err != nil {
					t.Fatal(err)
				}
				res, err := b.engine.ProcessFile(ctx, fileID)
				if err != nil || res.State != store.InboundProcessed {
					t.Fatalf("reprocess file %d: %+v, %v", fileID, res, err)
				}
				cs, err := b.store.ListClaims(ctx, store.ClaimFilter{InboundFileID: fileID})
				if err != nil {
					t.Fatal(err)
				}
				return cs
			}
			again := reprocess(orig[0].InboundFileID)
			if len(again) != 2 || again[0].ID != orig[0].ID || again[0].State != store.ClaimReplaced ||
				again[1].ControlNumber != orig[1].ControlNumber || again[1].State != store.ClaimAccepted {
				t.Fatalf("original file reprocessed: %+v", again)
			}
			r2 := reprocess(repl[0].InboundFileID)
			if len(r2) != 1 || r2[0].ControlNumber != repl[0].ControlNumber || r2[0].State != store.ClaimAccepted ||
				r2[0].ReplacesClaimID == nil || *r2[0].ReplacesClaimID != orig[0].ID {
				t.Fatalf("replacement file reprocessed: %+v", r2)
			}
			if o, _ := b.store.GetClaim(ctx, orig[0].ID); o.State != store.ClaimReplaced {
				t.Fatalf("original %s after reprocessing its replacement", o.State)
			}
		})
	}
}
