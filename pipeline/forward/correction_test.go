package forward_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/clearinghouse/clearinghouse/edi/ack"
	"github.com/clearinghouse/clearinghouse/edi/claim"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/clearinghouse/clearinghouse/pipeline/forward"
)

const firstPCN = "PCN0045000000001" // the demo claim the correction files act on (CH000000000001)

// checkCorrectionsFollowOriginals checks the invariant of corrections: a
// partner never receives a replacement or void (CLM05-3 7/8) for a claim
// it did not receive, nor before it: the claim REF*F8 names was queued to
// the same partner in an earlier outbound file (a lower ID; the outbox
// delivers a partner's files in that order). It returns how many
// corrections it checked.
func checkCorrectionsFollowOriginals(t *testing.T, b *testBundle) int {
	t.Helper()
	ctx := context.Background()
	files, err := b.st.ListOutbound(ctx, store.OutboundFilter{Kind: store.Kind837, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]store.OutboundFile{}
	for _, f := range files {
		byID[f.ID] = f
	}
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f.SpoolPath)
		if err != nil {
			t.Fatal(err)
		}
		err = claim.ReadTransactions(bytes.NewReader(data), func(tx *claim.Transaction, _ []ack.Issue) error {
			for cc := range tx.Claims() {
				c := cc.Claim
				if c.Frequency() != "7" && c.Frequency() != "8" {
					continue
				}
				n++
				orig, err := b.st.GetClaimByControl(ctx, c.OriginalRef())
				if err != nil {
					t.Errorf("%s/%s: correction %s names %q, no claim of ours: %v", f.PartnerID, f.Name, c.PatientControlNumber, c.OriginalRef(), err)
					continue
				}
				id, err := b.st.OutboundFileOfClaim(ctx, orig.ID)
				if err != nil {
					t.Fatal(err)
				}
				if id == nil {
					t.Errorf("%s/%s: correction of %s, which was never forwarded", f.PartnerID, f.Name, orig.ControlNumber)
					continue
				}
				if of := byID[*id]; of.PartnerID != f.PartnerID || of.ID >= f.ID {
					t.Errorf("%s/%s (id %d): correction of %s, which went to %s in file %d", f.PartnerID, f.Name, f.ID,
						orig.ControlNumber, of.PartnerID, of.ID)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// claimByControl returns a stored claim by our control number.
func claimByControl(t *testing.T, b *testBundle, control string) *store.Claim {
	t.Helper()
	c, err := b.st.GetClaimByControl(context.Background(), control)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newestByCLM01 returns the claim with this CLM01 recorded last.
func newestByCLM01(t *testing.T, b *testBundle, clm01 string) *store.Claim {
	t.Helper()
	cs, err := b.st.FindByCLM01(context.Background(), "acme", clm01)
	if err != nil || len(cs) == 0 {
		t.Fatalf("claims with CLM01 %s: %v, %v", clm01, cs, err)
	}
	return &cs[0]
}

func hasAudit(t *testing.T, b *testBundle, id int64, action string) bool {
	t.Helper()
	es, err := b.st.ListAudit(context.Background(), store.AuditFilter{Entity: "claim", EntityID: strconv.FormatInt(id, 10), Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return len(es) > 0
}

// TestReplacementOfUnforwardedOriginal: an original replaced before it
// was forwarded; the replacement goes as the claim to pay, an original
// (CLM05-3 1, no REF*F8, REF*9A not 9C), to the original's route, noted
// forwarded-as-original; the replaced original is never sent.
func TestReplacementOfUnforwardedOriginal(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			b := setup(t, be.URL(t), replacementFile(t))
			orig := claimByControl(t, b, "CH000000000001")
			repl := newestByCLM01(t, b, firstPCN)
			if orig.State != store.ClaimReplaced || repl.Frequency != "7" || repl.State != store.ClaimAccepted {
				t.Fatalf("setup: original %s, replacement %s/%s", orig.State, repl.Frequency, repl.State)
			}
			f := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0)
			if _, err := f.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			got, _ := b.outbound(t)
			s := got[firstPCN]
			if len(s) != 1 {
				t.Fatalf("%s sent %d times, want once (the replacement)", firstPCN, len(s))
			}
			c := s[0].claim
			if c.Frequency() != "1" || c.OriginalRef() != "" || s[0].partner != "optum" {
				t.Errorf("sent to %s with frequency %s REF*F8 %q; want an original (1, no REF*F8) to optum", s[0].partner, c.Frequency(), c.OriginalRef())
			}
			if c.Pricing != nil && (c.Ref("9A") != repl.ControlNumber || c.Ref("9C") != "") {
				t.Errorf("REF*9A %q REF*9C %q; want REF*9A %s", c.Ref("9A"), c.Ref("9C"), repl.ControlNumber)
			}
			after := claimByControl(t, b, repl.ControlNumber)
			if after.State != store.ClaimForwarded || !slices.Contains(after.NoteList(), forward.NoteForwardedAsOriginal) {
				t.Errorf("replacement %s notes %q; want forwarded, noted %s", after.State, after.Notes, forward.NoteForwardedAsOriginal)
			}
			if !hasAudit(t, b, repl.ID, "claim."+forward.NoteForwardedAsOriginal) {
				t.Error("no audit entry for the replacement forwarded as an original")
			}
			if o := claimByControl(t, b, orig.ControlNumber); o.State != store.ClaimReplaced || o.RoutePartner != "" {
				t.Errorf("replaced original: %s to %q; want replaced and never forwarded", o.State, o.RoutePartner)
			}
			if n := checkCorrectionsFollowOriginals(t, b); n != 0 {
				t.Errorf("%d corrections sent; want none", n)
			}
		})
	}
}

// TestVoidOfUnforwardedOriginal: an original voided before it was
// forwarded; nothing goes out for either, and the void is closed for good.
func TestVoidOfUnforwardedOriginal(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			b := setup(t, be.URL(t), correctionFile(t, "void.x12", "8", "CH000000000001", 902))
			void := newestByCLM01(t, b, firstPCN)
			if void.Frequency != "8" || void.State != store.ClaimAccepted {
				t.Fatalf("setup: void %s/%s", void.Frequency, void.State)
			}
			f := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0)
			res, err := f.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Closed != 1 {
				t.Errorf("result %+v; want 1 closed", res)
			}
			got, _ := b.outbound(t)
			if s := got[firstPCN]; len(s) != 0 {
				t.Errorf("%s sent %d times; want never (voided before it left)", firstPCN, len(s))
			}
			after := claimByControl(t, b, void.ControlNumber)
			if after.State != store.ClaimClosed || !slices.Contains(after.NoteList(), forward.NoteOriginalNeverForwarded) {
				t.Errorf("void %s notes %q; want %s, noted %s", after.State, after.Notes, store.ClaimClosed, forward.NoteOriginalNeverForwarded)
			}
			if !hasAudit(t, b, void.ID, "claim.closed") {
				t.Error("no audit entry for the closed void")
			}
			again, err := f.RunOnce(ctx)
			if err != nil || again.Closed != 0 || again.Forwarded != 0 {
				t.Errorf("second run %+v, %v; want nothing", again, err)
			}
			if n := checkCorrectionsFollowOriginals(t, b); n != 0 {
				t.Errorf("%d corrections sent; want none", n)
			}
		})
	}
}

// TestCorrectionGoesWhereOriginalWent: a void of a forwarded original goes
// as a void to the partner that received the original, even when the
// route now names another partner.
func TestCorrectionGoesWhereOriginalWent(t *testing.T) {
	ctx := context.Background()
	b := setup(t, dbtest.SQLiteURL(t))
	if _, err := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if o := claimByControl(t, b, "CH000000000001"); o.RoutePartner != "optum" {
		t.Fatalf("original went to %q, want optum", o.RoutePartner)
	}
	b.process(t, correctionFile(t, "void.x12", "8", "CH000000000001", 902))
	routes := forward.DefaultRoutes()
	routes[2].Partner = "newpayer" // 88461 moves
	res, err := b.forwarder(t, routes, b.engine, 0).RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Forwarded != 1 {
		t.Fatalf("result %+v; want the void forwarded", res)
	}
	void := newestByCLM01(t, b, firstPCN)
	if void.State != store.ClaimForwarded || void.RoutePartner != "optum" {
		t.Errorf("void %s to %q; want forwarded to optum", void.State, void.RoutePartner)
	}
	if n := checkCorrectionsFollowOriginals(t, b); n != 1 {
		t.Errorf("%d corrections sent; want 1", n)
	}
}

// TestCorrectionChain: the original is forwarded; a replacement of it is
// replaced in turn before the forwarder runs. Only the last replacement
// goes, to the original's partner, with REF*F8 naming the original (the
// claim the partner has), noted f8-forwarded-original.
func TestCorrectionChain(t *testing.T) {
	ctx := context.Background()
	b := setup(t, dbtest.SQLiteURL(t))
	if _, err := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	b.process(t, correctionFile(t, "r1.x12", "7", "CH000000000001", 902))
	r1 := newestByCLM01(t, b, firstPCN)
	b.process(t, correctionFile(t, "r2.x12", "7", r1.ControlNumber, 903))
	r2 := newestByCLM01(t, b, firstPCN)
	if r1.ID == r2.ID || r2.ReplacesClaimID == nil || *r2.ReplacesClaimID != r1.ID {
		t.Fatalf("setup: r1 %d, r2 %d replaces %v", r1.ID, r2.ID, r2.ReplacesClaimID)
	}
	if s := claimByControl(t, b, r1.ControlNumber).State; s != store.ClaimReplaced {
		t.Fatalf("setup: r1 %s, want replaced", s)
	}
	res, err := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0).RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Forwarded != 1 {
		t.Fatalf("result %+v; want only r2 forwarded", res)
	}
	got, _ := b.outbound(t)
	var sent []*claim.Claim
	for _, s := range got[firstPCN] {
		if s.claim.Frequency() == "7" {
			sent = append(sent, s.claim)
			if s.partner != "optum" {
				t.Errorf("replacement went to %s, want optum", s.partner)
			}
		}
	}
	if len(sent) != 1 || sent[0].OriginalRef() != "CH000000000001" {
		t.Fatalf("replacements sent %d; want 1 naming CH000000000001", len(sent))
	}
	after := claimByControl(t, b, r2.ControlNumber)
	if !slices.Contains(after.NoteList(), forward.NoteF8Forwarded) {
		t.Errorf("r2 notes %q; want %s", after.Notes, forward.NoteF8Forwarded)
	}
	if n := checkCorrectionsFollowOriginals(t, b); n != 1 {
		t.Errorf("%d corrections sent; want 1", n)
	}
}

// TestCorrectionWaitsForItsOriginal: should a correction be settled while
// its original is still in effect and not forwarded (both candidates of
// one run), the original goes first and the correction waits for the next
// run, so both are never in one run and the correction never precedes it.
func TestCorrectionWaitsForItsOriginal(t *testing.T) {
	ctx := context.Background()
	b := setup(t, dbtest.SQLiteURL(t), replacementFile(t))
	orig := claimByControl(t, b, "CH000000000001")
	if err := b.st.UpdateClaimState(ctx, orig.ID, store.ClaimAccepted, orig.Reasons); err != nil {
		t.Fatal(err)
	}
	f := b.forwarder(t, forward.DefaultRoutes(), b.engine, 0)
	first, err := f.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	repl := newestByCLM01(t, b, firstPCN)
	if first.Skipped != 1 || repl.State != store.ClaimAccepted {
		t.Fatalf("first run %+v, replacement %s; want it left for the next run", first, repl.State)
	}
	if o := claimByControl(t, b, orig.ControlNumber); o.State != store.ClaimForwarded {
		t.Fatalf("original %s, want forwarded", o.State)
	}
	second, err := f.RunOnce(ctx)
	if err != nil || second.Forwarded != 1 {
		t.Fatalf("second run %+v, %v; want the replacement forwarded", second, err)
	}
	if n := checkCorrectionsFollowOriginals(t, b); n != 1 {
		t.Errorf("%d corrections sent; want 1", n)
	}
}
