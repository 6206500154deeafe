package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestForwarding checks the forwarder's store methods on every backend:
// candidates leave out unsettled and bound claims, binding is exclusive,
// notes append once, and correction chains are followed to the original.
func TestForwarding(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			in := record(t, ctx, s, "acme", "forwarding")
			ic := &store.Interchange{InboundFileID: in.ID, SenderID: "S", ReceiverID: "R", Control: "1"}
			if err := s.RecordInterchange(ctx, ic); err != nil {
				t.Fatal(err)
			}
			g := &store.Group{InterchangeID: ic.ID, FunctionalID: "HC", Control: "1"}
			if err := s.RecordGroup(ctx, g); err != nil {
				t.Fatal(err)
			}
			tr := &store.Transaction{GroupID: g.ID, SetID: "837", Control: "0001"}
			if err := s.RecordTransaction(ctx, tr); err != nil {
				t.Fatal(err)
			}
			insert := func(control string, settled bool, state store.ClaimState, replaces *int64) *store.Claim {
				c := sampleClaim(in, control)
				c.State, c.ReplacesClaimID = state, replaces
				if settled {
					c.TransactionID = &tr.ID
				}
				if replaces != nil {
					c.Frequency = "7"
				}
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
				return c
			}
			orig := insert("CH1", true, store.ClaimReplaced, nil)
			r1 := insert("CH2", true, store.ClaimReplaced, &orig.ID)
			r2 := insert("CH3", true, store.ClaimAccepted, &r1.ID)
			unsettled := insert("CH4", false, store.ClaimAccepted, nil)
			suspect := insert("CH5", true, store.ClaimSuspect, nil)

			cands, err := s.ForwardCandidates(ctx, 0, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := claimIDs(cands); !slices.Equal(got, []int64{r2.ID, suspect.ID}) || len(cands[0].Lines) != 2 {
				t.Fatalf("candidates %v; want %v with lines", got, []int64{r2.ID, suspect.ID})
			}
			files, err := s.ForwardCandidateFiles(ctx, 0, 0)
			if err != nil || !slices.Equal(files, []int64{in.ID}) {
				t.Fatalf("candidate files %v, %v; want [%d]", files, err, in.ID)
			}

			chain, err := s.CorrectionChain(ctx, r2.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(chain) != 2 || chain[0].ID != r1.ID || chain[1].ID != orig.ID || chain[0].Forwarded() || chain[1].Forwarded() {
				t.Fatalf("chain of r2 = %+v; want r1 then the original, neither forwarded", chain)
			}
			if c, err := s.CorrectionChain(ctx, orig.ID); err != nil || len(c) != 0 {
				t.Fatalf("chain of the original = %+v, %v; want empty", c, err)
			}
			chains, err := s.CorrectionChains(ctx, []int64{r2.ID, orig.ID, r1.ID})
			if err != nil || len(chains) != 3 || len(chains[orig.ID]) != 0 || len(chains[r2.ID]) != 2 || chains[r2.ID][1].ID != orig.ID ||
				len(chains[r1.ID]) != 1 || chains[r1.ID][0].ID != orig.ID || chains[r1.ID][0].ControlNumber != "CH1" || chains[r1.ID][0].State != store.ClaimReplaced {
				t.Fatalf("chains of r2, the original and r1 = %+v, %v", chains, err)
			}
			if _, err := s.CorrectionChains(ctx, []int64{r2.ID, 999999}); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("chains of an unknown claim: %v; want ErrNotFound", err)
			}

			out := enqueue(t, ctx, s, "optum", "837P-a.x12")
			other := enqueue(t, ctx, s, "optum", "837P-b.x12")
			err = s.InTx(ctx, func(tx *store.Tx) error {
				return tx.BindClaimsToOutbound(ctx, out.ID, []int64{r2.ID, orig.ID})
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.BindClaimsToOutbound(ctx, other.ID, []int64{suspect.ID, r2.ID}); !errors.Is(err, store.ErrOutboundClaims) {
				t.Fatalf("binding a bound claim to another file = %v; want ErrOutboundClaims", err)
			}
			if id, _ := s.OutboundFileOfClaim(ctx, suspect.ID); id != nil {
				t.Errorf("failed bind left the suspect claim bound to %d", *id)
			}
			if err := s.BindClaimsToOutbound(ctx, out.ID, []int64{r2.ID}); err != nil {
				t.Errorf("binding again to the same file = %v; want nil", err)
			}
			if err := s.BindClaimsToOutbound(ctx, out.ID, []int64{999999}); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("binding an unknown claim = %v; want ErrNotFound", err)
			}
			ids, err := s.ClaimIDsOfOutbound(ctx, out.ID)
			if err != nil || !slices.Equal(ids, []int64{orig.ID, r2.ID}) {
				t.Errorf("claims of the file %v, %v; want [%d %d]", ids, err, orig.ID, r2.ID)
			}
			cands, err = s.ForwardCandidates(ctx, in.ID, 0, 0)
			if err != nil || !slices.Equal(claimIDs(cands), []int64{suspect.ID}) {
				t.Errorf("candidates after binding %v, %v; want only the suspect claim", claimIDs(cands), err)
			}
			chain, err = s.CorrectionChain(ctx, r2.ID)
			if err != nil || !chain[1].Forwarded() || chain[0].Forwarded() {
				t.Errorf("chain after binding the original = %+v, %v; want it forwarded", chain, err)
			}

			for _, n := range []string{"a", "b", "a"} {
				if err := s.AppendClaimNote(ctx, suspect.ID, n); err != nil {
					t.Fatal(err)
				}
			}
			if c, _ := s.GetClaim(ctx, suspect.ID); c.Notes != "a;b" {
				t.Errorf("notes %q; want a;b", c.Notes)
			}
			if err := s.AppendClaimNote(ctx, suspect.ID, "x;y"); err == nil {
				t.Error("a note with ';' was accepted")
			}
			if err := s.AppendClaimNote(ctx, 999999, "a"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("note on an unknown claim = %v; want ErrNotFound", err)
			}

			// Closing keeps the reasons and adds the note once.
			if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.CloseClaims(ctx, []int64{suspect.ID, unsettled.ID}, "b") }); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{suspect.ID, unsettled.ID} {
				c, err := s.GetClaim(ctx, id)
				if err != nil || c.State != store.ClaimClosed || c.Reasons != suspect.Reasons || (id == suspect.ID) != (c.Notes == "a;b") || (id == unsettled.ID) != (c.Notes == "b") {
					t.Errorf("closed claim %d: %+v, %v", id, c, err)
				}
			}
			if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.CloseClaims(ctx, []int64{999999}, "b") }); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("closing an unknown claim = %v; want ErrNotFound", err)
			}
		})
	}
}
