package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestMarkForwarded marks a batch of claims forwarded in one go, and
// refuses (changing nothing) when one of them is no longer in effect.
func TestMarkForwarded(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			in, _, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "a.x12", SHA256: fmt.Sprintf("%064d", 1)})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for i := 0; i < 3; i++ {
				c := &store.Claim{InboundFileID: in.ID, PartnerID: "acme", ControlNumber: fmt.Sprintf("CH%012d", i+1), ClaimType: "P",
					State: store.ClaimAccepted, Lines: []store.ClaimLine{{LineNo: 1, Code: "A0428"}, {LineNo: 2, Code: "A0429"}}}
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, c.ID)
			}
			out, _, err := s.EnqueueOutbound(ctx, store.OutboundFile{PartnerID: "tpa", Kind: store.Kind837, Name: "837P-x.x12", SHA256: fmt.Sprintf("%064d", 2)})
			if err != nil {
				t.Fatal(err)
			}
			allowed := int64(1234)
			if err := s.AppendClaimNote(ctx, ids[1], "seen"); err != nil {
				t.Fatal(err)
			}
			marks := []store.ForwardMark{{ID: ids[0], Method: "fee", Allowed: &allowed, Lines: map[int]int64{1: 1000, 2: 234}, Note: "f8-rewritten"},
				{ID: ids[1], Note: "f8-rewritten"}}
			if err := s.MarkForwarded(ctx, out.ID, "tpa", marks); err != nil {
				t.Fatal(err)
			}
			c0, _ := s.GetClaim(ctx, ids[0])
			c1, _ := s.GetClaim(ctx, ids[1])
			if c0.State != store.ClaimForwarded || c0.RoutePartner != "tpa" || c0.PricingMethod != "fee" || c0.AllowedCents == nil || *c0.AllowedCents != 1234 ||
				c0.Lines[0].AllowedCents == nil || *c0.Lines[0].AllowedCents != 1000 || *c0.Lines[1].AllowedCents != 234 {
				t.Fatalf("claim 0: %+v", c0)
			}
			if c0.Notes != "f8-rewritten" {
				t.Fatalf("claim 0 notes %q", c0.Notes)
			}
			if c1.State != store.ClaimForwarded || c1.AllowedCents != nil || c1.PricingMethod != "" || c1.Notes != "seen;f8-rewritten" {
				t.Fatalf("claim 1: %+v", c1)
			}
			if got, _ := s.ClaimIDsOfOutbound(ctx, out.ID); len(got) != 2 {
				t.Fatalf("bound %v", got)
			}
			// A claim replaced meanwhile: the whole mark is refused.
			if err := s.TransitionClaim(ctx, ids[2], store.ClaimReplaced, store.ClaimAccepted); err != nil {
				t.Fatal(err)
			}
			err = s.InTx(ctx, func(tx *store.Tx) error {
				return tx.MarkForwarded(ctx, out.ID, "tpa", []store.ForwardMark{{ID: ids[2]}})
			})
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("marking a replaced claim: %v, want ErrConflict", err)
			}
			if c2, _ := s.GetClaim(ctx, ids[2]); c2.State != store.ClaimReplaced || c2.RoutePartner != "" {
				t.Fatalf("replaced claim changed: %+v", c2)
			}
		})
	}
}

// TestTransitionClaims moves several claims each to its own state in one
// call, refuses a claim listed twice, and reports ErrConflict when one of
// them is not in a source state (the caller's transaction rolls back).
func TestTransitionClaims(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			in, _, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "a.x12", SHA256: fmt.Sprintf("%064d", 1)})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for i, st := range []store.ClaimState{store.ClaimAccepted, store.ClaimForwarded, store.ClaimSuspect, store.ClaimAccepted} {
				c := &store.Claim{InboundFileID: in.ID, PartnerID: "acme", ControlNumber: fmt.Sprintf("CH%012d", i+1), ClaimType: "P", State: st}
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, c.ID)
			}
			inEffect := []store.ClaimState{store.ClaimAccepted, store.ClaimSuspect, store.ClaimForwarded}
			state := func(id int64) store.ClaimState {
				t.Helper()
				c, err := s.GetClaim(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return c.State
			}
			err = s.InTx(ctx, func(tx *store.Tx) error {
				return tx.TransitionClaims(ctx, []store.ClaimTransition{{ID: ids[0], To: store.ClaimReplaced}, {ID: ids[1], To: store.ClaimVoided},
					{ID: ids[2], To: store.ClaimReplaced}}, inEffect...)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := []store.ClaimState{state(ids[0]), state(ids[1]), state(ids[2]), state(ids[3])}; got[0] != store.ClaimReplaced ||
				got[1] != store.ClaimVoided || got[2] != store.ClaimReplaced || got[3] != store.ClaimAccepted {
				t.Fatalf("states %v", got)
			}
			// ids[0] is replaced now: not in effect, so the whole call
			// conflicts and its transaction leaves ids[3] as it was.
			err = s.InTx(ctx, func(tx *store.Tx) error {
				return tx.TransitionClaims(ctx, []store.ClaimTransition{{ID: ids[3], To: store.ClaimVoided}, {ID: ids[0], To: store.ClaimVoided}}, inEffect...)
			})
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("transition of a replaced claim: %v, want ErrConflict", err)
			}
			if st := state(ids[3]); st != store.ClaimAccepted {
				t.Fatalf("claim of the refused call: %s", st)
			}
			if be.Name == store.DialectPostgres {
				err = s.TransitionClaims(ctx, []store.ClaimTransition{{ID: ids[3], To: store.ClaimVoided}, {ID: ids[3], To: store.ClaimReplaced}}, inEffect...)
				if err == nil || state(ids[3]) != store.ClaimAccepted {
					t.Fatalf("a claim listed twice: %v, state %s", err, state(ids[3]))
				}
			}
		})
	}
}

// TestInsertClaims inserts batches of claims in a transaction (full and
// partial chunks of the multi-row and COPY paths, claims with no lines and
// many), reads every one back as InsertClaim would have written it, never
// reuses the ID of a deleted claim, and maps a control number already in
// use to ErrConflict with nothing of the batch kept.
func TestInsertClaims(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			in, _, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "a.x12", SHA256: fmt.Sprintf("%064d", 1)})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			mk := func(lines int) *store.Claim {
				n++
				c := &store.Claim{InboundFileID: in.ID, PartnerID: "acme", ControlNumber: fmt.Sprintf("CH%012d", n), CLM01: fmt.Sprintf("P%d", n),
					ClaimType: "P", Frequency: "1", State: store.ClaimAccepted, Reasons: "A1:19", BilledCents: int64(n * 100),
					MemberID: "M1", PatientLast: "DOE", ServiceFrom: "20260101", Fingerprint: fmt.Sprintf("fp%d", n), SuspectKey: "sk",
					RawOffset: int64(n * 1000), RawLength: 999, MemberTPA: "T1"}
				for i := range lines {
					c.Lines = append(c.Lines, store.ClaimLine{LineNo: i + 1, Code: "A0425", Modifiers: "GT", Units: 1000, UnitType: "UN",
						ChargeCents: int64(n*10 + i), ServiceFrom: "20260101"})
				}
				return c
			}
			// A claim inserted and deleted first: its ID is not reused.
			gone := mk(1)
			if err := s.InsertClaim(ctx, gone); err != nil {
				t.Fatal(err)
			}
			if err := s.ForgetFileResults(ctx, in.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetClaim(ctx, gone.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("claim not deleted: %v", err)
			}
			var batch []*store.Claim
			for i := range 75 { // two full SQLite chunks and a partial one
				batch = append(batch, mk(i%5*20)) // up to 80 lines: line chunks fill and spill
			}
			if err := s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertClaims(ctx, batch) }); err != nil {
				t.Fatal(err)
			}
			seen := map[int64]bool{}
			for i, c := range batch {
				if c.ID <= gone.ID || seen[c.ID] || (i > 0 && c.ID <= batch[i-1].ID) {
					t.Fatalf("claim %d: ID %d (deleted claim had %d, previous %d)", i, c.ID, gone.ID, batch[max(i-1, 0)].ID)
				}
				seen[c.ID] = true
				got, err := s.GetClaim(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.ControlNumber != c.ControlNumber || got.CLM01 != c.CLM01 || got.BilledCents != c.BilledCents || got.RawOffset != c.RawOffset ||
					got.Fingerprint != c.Fingerprint || got.MemberTPA != "T1" || got.Reasons != "A1:19" || got.State != store.ClaimAccepted ||
					!got.CreatedAt.Equal(c.CreatedAt) || got.CreatedAt.IsZero() || len(got.Lines) != len(c.Lines) {
					t.Fatalf("claim %d read back as %+v, inserted %+v", i, got, c)
				}
				for j, l := range got.Lines {
					if l.LineNo != j+1 || l.ChargeCents != c.Lines[j].ChargeCents || l.Modifiers != "GT" || l.Units != 1000 || l.ClaimID != c.ID {
						t.Fatalf("claim %d line %d: %+v", i, j, l)
					}
				}
			}
			// After the batch, a single insert takes the next ID.
			next := mk(1)
			if err := s.InsertClaim(ctx, next); err != nil {
				t.Fatal(err)
			}
			if next.ID <= batch[len(batch)-1].ID {
				t.Fatalf("next ID %d, last of batch %d", next.ID, batch[len(batch)-1].ID)
			}
			// A used control number: ErrConflict, and the batch rolls back.
			dup := []*store.Claim{mk(1), mk(2), mk(0), mk(1), mk(1)}
			dup[3].ControlNumber = batch[0].ControlNumber
			err = s.InTx(ctx, func(tx *store.Tx) error { return tx.InsertClaims(ctx, dup) })
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("used control number: %v, want ErrConflict", err)
			}
			if _, err := s.GetClaimByControl(ctx, dup[0].ControlNumber); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("claim of a failed batch kept: %v", err)
			}
		})
	}
}
