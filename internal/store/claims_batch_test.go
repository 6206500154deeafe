package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestClaimsByControls reads claims by many control numbers at once and
// gets what GetClaimByControl gives for each, without the lines.
func TestClaimsByControls(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t), Now: newTestClock().Now})
			in, _, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "a.x12", SHA256: fmt.Sprintf("%064d", 1)})
			if err != nil {
				t.Fatal(err)
			}
			var controls []string
			for i := range 3 {
				allowed := int64(500 + i)
				c := &store.Claim{InboundFileID: in.ID, PartnerID: "acme", ControlNumber: fmt.Sprintf("CH%012d", i+1), CLM01: "P1",
					ClaimType: "P", Frequency: "1", State: store.ClaimAccepted, BilledCents: 1000, AllowedCents: &allowed,
					MemberID: "M1", Fingerprint: fmt.Sprint("fp", i), SuspectKey: "sk", RawOffset: int64(i * 100), MemberTPA: "T1",
					Lines: []store.ClaimLine{{LineNo: 1, Code: "A0428", ChargeCents: 1000}}}
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
				controls = append(controls, c.ControlNumber)
			}
			got, err := s.ClaimsByControls(ctx, []string{controls[0], controls[2], "CH999999999999"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("%d claims found, want 2", len(got))
			}
			for _, control := range []string{controls[0], controls[2]} {
				want, err := s.GetClaimByControl(ctx, control)
				if err != nil {
					t.Fatal(err)
				}
				want.Lines = nil
				if !reflect.DeepEqual(got[control], want) {
					t.Errorf("%s:\n got %+v\nwant %+v", control, got[control], want)
				}
			}
		})
	}
}
