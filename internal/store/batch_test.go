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
			marks := []store.ForwardMark{{ID: ids[0], Method: "fee", Allowed: &allowed, Lines: map[int]int64{1: 1000, 2: 234}}, {ID: ids[1]}}
			if err := s.MarkForwarded(ctx, out.ID, "tpa", marks); err != nil {
				t.Fatal(err)
			}
			c0, _ := s.GetClaim(ctx, ids[0])
			c1, _ := s.GetClaim(ctx, ids[1])
			if c0.State != store.ClaimForwarded || c0.RoutePartner != "tpa" || c0.PricingMethod != "fee" || c0.AllowedCents == nil || *c0.AllowedCents != 1234 ||
				c0.Lines[0].AllowedCents == nil || *c0.Lines[0].AllowedCents != 1000 || *c0.Lines[1].AllowedCents != 234 {
				t.Fatalf("claim 0: %+v", c0)
			}
			if c1.State != store.ClaimForwarded || c1.AllowedCents != nil || c1.PricingMethod != "" {
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
