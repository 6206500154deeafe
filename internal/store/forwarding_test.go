package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// TestForwardCandidatesByOffset checks the forwarder's windows on every
// backend: one file's settled, unbound candidates in raw-offset order from
// an offset on, at most limit, with what forwarding reads (text with
// characters JSON escapes included) and their line numbers, whether the
// file's claim IDs are contiguous or scattered among another file's.
func TestForwardCandidatesByOffset(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			a := record(t, ctx, s, "acme", "window a")
			b := record(t, ctx, s, "acme", "window b")
			ic := &store.Interchange{InboundFileID: a.ID, SenderID: "S", ReceiverID: "R", Control: "1"}
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
			n := 0
			insert := func(in *store.InboundFile, offset int64, lines int, settled bool) *store.Claim {
				n++
				c := sampleClaim(in, fmt.Sprintf("W%d", n))
				c.CLM01 = fmt.Sprintf("P\"C\\N/%d\té", n)
				c.Reasons, c.MemberTPA, c.PayerID = "A7:164:IL;A3:21", "TPA \"1\"", fmt.Sprintf("PAYER%d", n%3)
				c.RawOffset, c.RawLength = offset, 1000+offset
				c.Lines = c.Lines[:0]
				for j := 1; j <= lines; j++ {
					c.Lines = append(c.Lines, store.ClaimLine{LineNo: j * 2, Code: "A0428", Units: 1000, UnitType: "UN", ChargeCents: 100})
				}
				if settled {
					c.TransactionID = &tr.ID
				}
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
				return c
			}
			check := func(what string, got []store.Claim, want []*store.Claim) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: %d candidates, want %d", what, len(got), len(want))
				}
				for i, w := range want {
					g := got[i]
					if g.ID != w.ID || g.InboundFileID != w.InboundFileID || g.ControlNumber != w.ControlNumber || g.CLM01 != w.CLM01 ||
						g.ClaimType != w.ClaimType || g.Frequency != w.Frequency || g.Reasons != w.Reasons || g.PayerID != w.PayerID ||
						g.MemberTPA != w.MemberTPA || g.RawOffset != w.RawOffset || g.RawLength != w.RawLength {
						t.Fatalf("%s: candidate %d = %+v, want %+v", what, i, g, *w)
					}
					if len(g.Lines) != len(w.Lines) {
						t.Fatalf("%s: candidate %d has %d lines, want %d", what, i, len(g.Lines), len(w.Lines))
					}
					for j := range w.Lines {
						if g.Lines[j].ClaimID != w.ID || g.Lines[j].LineNo != w.Lines[j].LineNo {
							t.Fatalf("%s: candidate %d line %d = %+v", what, i, j, g.Lines[j])
						}
					}
				}
			}
			// File a: contiguous IDs, inserted out of offset order, one
			// unsettled claim.
			a3 := insert(a, 300, 3, true)
			a1 := insert(a, 100, 1, true)
			insert(a, 150, 1, false)
			a2 := insert(a, 200, 2, true)
			got, err := s.ForwardCandidatesByOffset(ctx, a.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			check("file a", got, []*store.Claim{a1, a2, a3})
			if got, err = s.ForwardCandidatesByOffset(ctx, a.ID, 100, 1); err != nil {
				t.Fatal(err)
			}
			check("file a after 100, limit 1", got, []*store.Claim{a2})
			if got, err = s.ForwardCandidatesByOffset(ctx, a.ID, 300, 0); err != nil {
				t.Fatal(err)
			}
			check("file a after 300", got, nil)
			// File b: its IDs scattered among file a's.
			var want []*store.Claim
			for i := range 4 {
				want = append(want, insert(b, int64(10+i), i%3+1, true))
				for range 5 {
					insert(a, int64(1000+n), 1, true)
				}
			}
			if got, err = s.ForwardCandidatesByOffset(ctx, b.ID, 0, 0); err != nil {
				t.Fatal(err)
			}
			check("file b", got, want)
		})
	}
}

// TestCorrectionChainEnds checks how a correction chain ends on every
// backend: an unknown claim is not found, a cycle stops after the longest
// chain allowed with an error, and (SQLite, whose foreign keys can be
// turned off) a link to a claim that is not there is not found.
func TestCorrectionChainEnds(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			in := record(t, ctx, s, "acme", "chain ends")
			if _, err := s.CorrectionChain(ctx, 424242); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown claim: %v, want ErrNotFound", err)
			}
			a, b := sampleClaim(in, "CA"), sampleClaim(in, "CB")
			for _, c := range []*store.Claim{a, b} {
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			for _, link := range [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}} {
				if _, err := s.DB().ExecContext(ctx, s.DB().Rebind(`UPDATE claims SET replaces_claim_id = ? WHERE id = ?`), link[1], link[0]); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.CorrectionChain(ctx, a.ID); err == nil || !strings.Contains(err.Error(), "longer than 1000 links") {
				t.Fatalf("cycle: %v, want longer than 1000 links", err)
			}
			if be.Name != "sqlite" {
				return
			}
			c := sampleClaim(in, "CC")
			if err := s.InsertClaim(ctx, c); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().ExecContext(ctx, `UPDATE claims SET replaces_claim_id = 999999 WHERE id = ?`, c.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CorrectionChain(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("dangling link: %v, want ErrNotFound", err)
			}
		})
	}
}
