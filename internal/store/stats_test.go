package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestCountByState fills the three work tables with rows in known states
// and checks every count, on both backends; then Ping, and both on a
// closed store.
func TestCountByState(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			clk := newTestClock()
			s := dbtest.Open(t, store.Config{URL: be.URL(t), Now: clk.Now})

			empty, err := s.CountByState(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(empty.Inbound)+len(empty.Outbound)+len(empty.Claims) != 0 {
				t.Fatalf("empty store: %+v", empty)
			}

			// acme: two received, one processing; beta: one received.
			a1 := record(t, ctx, s, "acme", "a1")
			record(t, ctx, s, "acme", "a2")
			record(t, ctx, s, "acme", "a3")
			record(t, ctx, s, "beta", "b1")
			if _, err := s.ClaimInboundID(ctx, a1.ID, "test", time.Minute); err != nil {
				t.Fatal(err)
			}
			// acme: two 999 pending, one delivered; beta: one 999 pending.
			o1 := enqueue(t, ctx, s, "acme", "999-1.x12")
			enqueue(t, ctx, s, "acme", "999-2.x12")
			enqueue(t, ctx, s, "acme", "999-3.x12")
			enqueue(t, ctx, s, "beta", "999-1.x12")
			got, err := s.ClaimOutbound(ctx, "test", time.Minute, "acme")
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != o1.ID {
				t.Fatalf("claimed outbound %d, want %d", got.ID, o1.ID)
			}
			if err := s.MarkDelivered(ctx, o1.ID, "test"); err != nil {
				t.Fatal(err)
			}
			// Claims: two accepted, one rejected.
			for i, st := range []store.ClaimState{store.ClaimAccepted, store.ClaimAccepted, store.ClaimRejected} {
				c := sampleClaim(a1, "CH00000000"+string(rune('1'+i)))
				c.State = st
				c.Fingerprint = "fp-stats-" + string(rune('1'+i))
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
			}

			stats, err := s.CountByState(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantIn := []store.InboundStat{
				{PartnerID: "acme", State: store.InboundProcessing, Count: 1},
				{PartnerID: "acme", State: store.InboundReceived, Count: 2},
				{PartnerID: "beta", State: store.InboundReceived, Count: 1},
			}
			if !reflect.DeepEqual(stats.Inbound, wantIn) {
				t.Errorf("Inbound = %+v\nwant %+v", stats.Inbound, wantIn)
			}
			wantOut := []store.OutboundStat{
				{PartnerID: "acme", Kind: store.Kind999, State: store.OutboundDelivered, Count: 1},
				{PartnerID: "acme", Kind: store.Kind999, State: store.OutboundPending, Count: 2},
				{PartnerID: "beta", Kind: store.Kind999, State: store.OutboundPending, Count: 1},
			}
			if !reflect.DeepEqual(stats.Outbound, wantOut) {
				t.Errorf("Outbound = %+v\nwant %+v", stats.Outbound, wantOut)
			}
			wantClaims := []store.ClaimStat{
				{State: store.ClaimAccepted, Count: 2},
				{State: store.ClaimRejected, Count: 1},
			}
			if !reflect.DeepEqual(stats.Claims, wantClaims) {
				t.Errorf("Claims = %+v\nwant %+v", stats.Claims, wantClaims)
			}

			// The same on a transaction.
			if err := s.InTx(ctx, func(tx *store.Tx) error {
				txStats, err := tx.CountByState(ctx)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(txStats, stats) {
					t.Errorf("in a transaction: %+v, want %+v", txStats, stats)
				}
				return tx.Ping(ctx)
			}); err != nil {
				t.Fatal(err)
			}

			if err := s.Ping(ctx); err != nil {
				t.Fatalf("Ping: %v", err)
			}
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			if err := s.Ping(cancelled); err == nil {
				t.Error("Ping with a cancelled context: no error")
			}

			// A second handle on the same database, closed: both fail.
			closed, err := store.OpenConfig(ctx, store.Config{URL: be.URL(t)})
			if err != nil {
				t.Fatal(err)
			}
			if err := closed.Close(); err != nil {
				t.Fatal(err)
			}
			if err := closed.Ping(ctx); err == nil {
				t.Error("Ping on a closed store: no error")
			}
			if _, err := closed.CountByState(ctx); err == nil {
				t.Error("CountByState on a closed store: no error")
			}
		})
	}
}
