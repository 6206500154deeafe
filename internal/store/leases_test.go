package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// testOutboundFIFO checks that a partner's files are leased in queue order
// whatever happens to the head of its queue (leased, lease expired,
// failed and waiting, retried), and that one partner's queue does not
// hold another's back.
func testOutboundFIFO(t *testing.T, ctx context.Context, b *bundle) {
	a1 := enqueue(t, ctx, b.s, "acme", "a1")
	a2 := enqueue(t, ctx, b.s, "acme", "a2")
	z1 := enqueue(t, ctx, b.s, "zenith", "z1")
	a3 := enqueue(t, ctx, b.s, "acme", "a3")

	claim := func(owner, partner string) *store.OutboundFile {
		t.Helper()
		f, err := b.s.ClaimOutbound(ctx, owner, time.Minute, partner)
		if err != nil {
			t.Fatalf("ClaimOutbound(%s, %q): %v", owner, partner, err)
		}
		return f
	}
	noWork := func(owner, partner, why string) {
		t.Helper()
		if f, err := b.s.ClaimOutbound(ctx, owner, time.Minute, partner); !errors.Is(err, store.ErrNoWork) {
			t.Fatalf("ClaimOutbound(%q) %s = %+v, %v; want ErrNoWork", partner, why, f, err)
		}
	}

	if f := claim("d1", "acme"); f.ID != a1.ID {
		t.Fatalf("first acme claim = %d, want a1 %d", f.ID, a1.ID)
	}
	noWork("d2", "acme", "while a1 is leased")
	if f := claim("d2", ""); f.ID != z1.ID {
		t.Fatalf("any-partner claim while acme's head is leased = %d, want z1 %d", f.ID, z1.ID)
	}
	noWork("d3", "", "while both heads are leased")

	// d1 dies: after its lease the head is taken over, never a2.
	b.clk.Advance(61 * time.Second)
	if f := claim("d3", ""); f.ID != a1.ID {
		t.Fatalf("claim after d1's lease expired = %d, want a1 %d", f.ID, a1.ID)
	}
	// A failure puts the whole partner off until the head's retry time.
	if err := b.s.MarkOutboundFailed(ctx, a1.ID, "d3", "connection refused", b.clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	noWork("d3", "acme", "while a1 waits for its retry")
	b.clk.Advance(time.Hour)
	if f := claim("d3", "acme"); f.ID != a1.ID || f.Attempts != 3 {
		t.Fatalf("retry claim = %d attempt %d, want a1 %d attempt 3", f.ID, f.Attempts, a1.ID)
	}
	if err := b.s.MarkDelivered(ctx, a1.ID, "d3"); err != nil {
		t.Fatal(err)
	}
	if f := claim("d3", ""); f.ID != a2.ID {
		t.Fatalf("claim after a1 = %d, want a2 %d", f.ID, a2.ID)
	}
	// Marked by another owner: refused, with no audit row; by its owner:
	// delivered, with the row.
	audit := store.AuditEntry{Actor: "outbox", Action: "outbound.delivered", Entity: "outbound_file", EntityID: "a2", Detail: "acme: a2"}
	if err := b.s.MarkDeliveredAudited(ctx, a2.ID, "d1", audit); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("mark by another owner: %v, want ErrLeaseLost", err)
	}
	if err := b.s.MarkDeliveredAudited(ctx, a2.ID, "d3", audit); err != nil {
		t.Fatal(err)
	}
	if es, err := b.s.ListAudit(ctx, store.AuditFilter{Entity: "outbound_file", EntityID: "a2"}); err != nil || len(es) != 1 || es[0].Detail != "acme: a2" || es[0].At.IsZero() {
		t.Fatalf("audit of a2's delivery: %+v, %v; want one entry", es, err)
	}
	if f, err := b.s.GetOutbound(ctx, a2.ID); err != nil || f.State != store.OutboundDelivered {
		t.Fatalf("a2 after its mark: %+v, %v", f, err)
	}
	if f := claim("d3", "acme"); f.ID != a3.ID {
		t.Fatalf("claim after a2 = %d, want a3 %d", f.ID, a3.ID)
	}
}

// testReleaseOutboundLeases checks that an instance hands its own leases
// back at once (keeping a failed file's error), and nobody else's.
func testReleaseOutboundLeases(t *testing.T, ctx context.Context, b *bundle) {
	a1 := enqueue(t, ctx, b.s, "acme", "a1")
	z1 := enqueue(t, ctx, b.s, "zenith", "z1")
	y1 := enqueue(t, ctx, b.s, "yoyodyne", "y1")
	// z1 failed once before the instance took it again.
	if _, err := b.s.ClaimOutbound(ctx, "inst", time.Hour, "zenith"); err != nil {
		t.Fatal(err)
	}
	if err := b.s.MarkOutboundFailed(ctx, z1.ID, "inst", "connection refused", b.clk.Now()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"acme", "zenith"} {
		if _, err := b.s.ClaimOutbound(ctx, "inst", time.Hour, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.s.ClaimOutbound(ctx, "other", time.Hour, "yoyodyne"); err != nil {
		t.Fatal(err)
	}

	if _, err := b.s.ReleaseOutboundLeases(ctx, ""); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("ReleaseOutboundLeases(\"\") err = %v, want ErrInvalid", err)
	}
	n, err := b.s.ReleaseOutboundLeases(ctx, "inst")
	if err != nil || n != 2 {
		t.Fatalf("ReleaseOutboundLeases = %d, %v; want 2", n, err)
	}
	now := b.clk.Now()
	for id, want := range map[int64]struct {
		state store.OutboundState
		err   string
	}{a1.ID: {store.OutboundPending, ""}, z1.ID: {store.OutboundFailed, "connection refused"}} {
		f, err := b.s.GetOutbound(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if f.State != want.state || f.Error != want.err || f.LeaseOwner != "" || f.LeaseUntil != nil ||
			f.AvailableAt == nil || !f.AvailableAt.Equal(now) {
			t.Fatalf("released file %d = %+v; want %s, error %q, no lease, available now", id, f, want.state, want.err)
		}
	}
	if f, err := b.s.GetOutbound(ctx, y1.ID); err != nil || f.State != store.OutboundDelivering || f.LeaseOwner != "other" {
		t.Fatalf("other owner's file = %+v, %v; want still leased to other", f, err)
	}
	// Claimable at once, with no wait for the lease to expire.
	if f, err := b.s.ClaimOutbound(ctx, "inst", time.Hour, "acme"); err != nil || f.ID != a1.ID {
		t.Fatalf("claim after release = %+v, %v; want a1", f, err)
	}
	// One file: only its owner may release it.
	if err := b.s.ReleaseOutbound(ctx, a1.ID, "other"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("ReleaseOutbound by another owner err = %v, want ErrLeaseLost", err)
	}
	if err := b.s.ReleaseOutbound(ctx, a1.ID, "inst"); err != nil {
		t.Fatal(err)
	}
	if f, err := b.s.GetOutbound(ctx, a1.ID); err != nil || f.State != store.OutboundPending || f.LeaseOwner != "" {
		t.Fatalf("after ReleaseOutbound = %+v, %v", f, err)
	}
	if err := b.s.ReleaseOutbound(ctx, 99999, "inst"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ReleaseOutbound(unknown) err = %v, want ErrNotFound", err)
	}
}
