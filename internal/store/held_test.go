package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestHeldInbound: a file recorded held (a CSV submission waiting for the
// nightly run) is never claimed and does not hold up the partner's later
// files; ReleaseHeld releases the files received up to a time, once, and
// ReleaseHeldFile one file; a released file is claimed like any received
// file. Recording the same content again keeps the held row.
func TestHeldInbound(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			clk := newTestClock()
			s := dbtest.Open(t, store.Config{URL: be.URL(t), Now: clk.Now})
			put := func(name, content string, state store.InboundState) *store.InboundFile {
				t.Helper()
				f, created, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: name, SHA256: sum(content), State: state})
				if err != nil || !created {
					t.Fatalf("RecordInbound %s: created %v, %v", name, created, err)
				}
				return f
			}
			claim := func(want string) *store.InboundFile {
				t.Helper()
				f, err := s.ClaimInbound(ctx, "w1", time.Minute)
				if want == "" {
					if !errors.Is(err, store.ErrNoWork) {
						t.Fatalf("ClaimInbound = %+v, %v; want ErrNoWork", f, err)
					}
					return nil
				}
				if err != nil || f.Name != want {
					t.Fatalf("ClaimInbound = %+v, %v; want %s", f, err, want)
				}
				if err := s.FinishInbound(ctx, f.ID, "w1", store.InboundResult{State: store.InboundProcessed}); err != nil {
					t.Fatal(err)
				}
				return f
			}
			morning := put("claims-am.csv", "csv 1", store.InboundHeld)
			if morning.State != store.InboundHeld {
				t.Fatalf("recorded %s, want held", morning.State)
			}
			clk.Advance(time.Hour)
			put("later.x12", "x12 1", "") // arrives after the held file
			claim("later.x12")            // not held up by the earlier held file
			claim("")                     // the held file is not claimed
			if _, err := s.ClaimInboundID(ctx, morning.ID, "w1", time.Minute); err == nil {
				t.Fatal("a held file was claimed by ID")
			}
			// The same bytes again: the held row, unchanged.
			again, created, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "claims-am-2.csv", SHA256: sum("csv 1"), State: store.InboundHeld})
			if err != nil || created || again.ID != morning.ID || again.State != store.InboundHeld {
				t.Fatalf("second record: %+v created %v, %v", again, created, err)
			}
			if fs, err := s.ListInbound(ctx, store.ListOpts{State: store.InboundHeld}); err != nil || len(fs) != 1 || fs[0].ID != morning.ID {
				t.Fatalf("ListInbound held = %+v, %v", fs, err)
			}
			clk.Advance(time.Hour)
			evening := put("claims-pm.csv", "csv 2", store.InboundHeld)

			// The nightly run releases what was received up to its time.
			cut := evening.ReceivedAt.Add(-time.Minute)
			if n, err := s.ReleaseHeld(ctx, cut); err != nil || n != 1 {
				t.Fatalf("ReleaseHeld = %d, %v; want 1", n, err)
			}
			if n, err := s.ReleaseHeld(ctx, cut); err != nil || n != 0 {
				t.Fatalf("second ReleaseHeld = %d, %v; want 0", n, err)
			}
			claim("claims-am.csv")
			claim("")
			if err := s.ReleaseHeldFile(ctx, morning.ID); !errors.Is(err, store.ErrNotHeld) {
				t.Fatalf("ReleaseHeldFile of a processed file = %v, want ErrNotHeld", err)
			}
			if err := s.ReleaseHeldFile(ctx, 999); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("ReleaseHeldFile of an unknown file = %v, want ErrNotFound", err)
			}
			if err := s.ReleaseHeldFile(ctx, evening.ID); err != nil {
				t.Fatal(err)
			}
			claim("claims-pm.csv")
			// In flight: a received file, a processing one; not a held one,
			// nor one waiting behind a retrying file of its partner.
			inFlight := func(want int) {
				t.Helper()
				if n, err := s.CountInFlight(ctx, clk.Now()); err != nil || n != want {
					t.Fatalf("CountInFlight = %d, %v; want %d", n, err, want)
				}
			}
			inFlight(0)
			put("held.csv", "csv 4", store.InboundHeld)
			inFlight(0)
			a := put("a.x12", "x12 a", "")
			inFlight(1)
			if _, err := s.ClaimInbound(ctx, "w1", time.Minute); err != nil {
				t.Fatal(err)
			}
			inFlight(1)
			put("b.x12", "x12 b", "")
			inFlight(2)
			if err := s.RetryInbound(ctx, a.ID, "w1", "disk full", clk.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			inFlight(0)
			if n, err := s.CountInFlight(ctx, clk.Now().Add(-time.Hour)); err != nil || n != 0 {
				t.Fatalf("CountInFlight before the files = %d, %v", n, err)
			}
			if err := s.ResetInbound(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			claim("a.x12")
			claim("b.x12")
			// ResetInbound (reprocess) of a held file makes it received too.
			f := put("claims-3.csv", "csv 3", store.InboundHeld)
			if err := s.ResetInbound(ctx, f.ID); err != nil {
				t.Fatal(err)
			}
			claim("claims-3.csv")
			claim("")
		})
	}
}
