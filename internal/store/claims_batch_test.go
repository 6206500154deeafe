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

// TestClaimLookupsByKeys reads claims with every column set (text that
// JSON escapes included) by fingerprints and by suspect keys, and gets
// what GetClaim gives for each; their lines are the lines inserted.
func TestClaimLookupsByKeys(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t), Now: newTestClock().Now})
			in, _, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "k.x12", SHA256: fmt.Sprintf("%064d", 2)})
			if err != nil {
				t.Fatal(err)
			}
			var inserted []*store.Claim
			for i := range 4 {
				c := &store.Claim{InboundFileID: in.ID, PartnerID: "acme", ControlNumber: fmt.Sprintf("CH%012d", i+1),
					CLM01: fmt.Sprintf("P\"%d\\x/", i), ClaimType: "I", Frequency: "1", RefF8: "F8-é", State: store.ClaimSuspect,
					Reasons: "A3:21;A7:164:IL", BilledCents: 123456789012, PayerID: "PAY\t1", SubmitterID: "SUB", BillingNPI: "1234567893",
					BillingTIN: "990000001", MemberID: "M\u00e91", PatientLast: "O'BRIEN \"JR\"", PatientFirst: "日本", PatientDOB: "19800101",
					ServiceFrom: "20240210", ServiceTo: "20240211", Fingerprint: fmt.Sprint("fp", i%2), SuspectKey: "sk\\1",
					RawOffset: int64(i) * 1000, RawLength: 70000 + int64(i), Notes: "duplicate;f8-unknown", RelatedControl: "CH9",
					RoutePartner: "optum", PricingMethod: "fee\nschedule", MemberTPA: "T1",
					Lines: []store.ClaimLine{
						{LineNo: 1, Code: "A0428", Modifiers: "RH:\"Q\"", Units: 1000, UnitType: "UN", ChargeCents: 100000, ServiceFrom: "20240210", ServiceTo: "20240210", RevenueCode: "0450"},
						{LineNo: 3, Code: "J1100", Units: 2500, UnitType: "MJ", ChargeCents: 2550},
					}}
				if i%2 == 1 {
					allowed, lineAllowed := int64(99999+i), int64(300)
					c.AllowedCents, c.Lines[1].AllowedCents = &allowed, &lineAllowed
					c.ReplacesClaimID = &inserted[i-1].ID
				}
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
				inserted = append(inserted, c)
			}
			get := func(id int64) *store.Claim {
				c, err := s.GetClaim(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			latest, err := s.LatestByFingerprints(ctx, []string{"fp0", "fp1", "fp9"})
			if err != nil {
				t.Fatal(err)
			}
			if len(latest) != 2 {
				t.Fatalf("%d fingerprints found, want 2", len(latest))
			}
			for fp, want := range map[string]*store.Claim{"fp0": get(inserted[2].ID), "fp1": get(inserted[3].ID)} {
				want.Lines = nil
				if !reflect.DeepEqual(latest[fp], want) {
					t.Errorf("%s:\n got %+v\nwant %+v", fp, latest[fp], want)
				}
			}
			byKey, err := s.FindBySuspectKeys(ctx, []string{"sk\\1", "sk2"})
			if err != nil {
				t.Fatal(err)
			}
			got := byKey["sk\\1"]
			if len(byKey) != 1 || len(got) != 4 {
				t.Fatalf("suspect keys: %d keys, %d claims; want 1 and 4", len(byKey), len(got))
			}
			for i := range got {
				ins := inserted[3-i] // newest first
				want := get(ins.ID)
				if !reflect.DeepEqual(&got[i], want) {
					t.Errorf("suspect %d:\n got %+v\nwant %+v", i, got[i], *want)
				}
				if len(want.Lines) != len(ins.Lines) {
					t.Fatalf("claim %d: %d lines, want %d", i, len(want.Lines), len(ins.Lines))
				}
				for j, l := range want.Lines {
					wl := ins.Lines[j]
					wl.ID, wl.ClaimID = l.ID, ins.ID
					if l.ID == 0 || !reflect.DeepEqual(l, wl) {
						t.Errorf("claim %d line %d:\n got %+v\nwant %+v", i, j, l, wl)
					}
				}
			}
		})
	}
}

// TestSetCandidates: the one-statement read of a set's candidates gives
// what the three lookups it stands for give, with claims that answer
// several of them, rejected and duplicate claims (found by control number
// only) and a suspect key with more than 100 claims.
func TestSetCandidates(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t), Now: newTestClock().Now})
			in, _, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "c.x12", SHA256: fmt.Sprintf("%064d", 3)})
			if err != nil {
				t.Fatal(err)
			}
			states := []store.ClaimState{store.ClaimAccepted, store.ClaimRejected, store.ClaimDuplicate, store.ClaimForwarded, store.ClaimSuspect}
			for i := range 300 { // sk0: 120 claims neither rejected nor duplicates
				c := sampleClaim(in, fmt.Sprintf("CH%012d", i+1))
				c.State = states[i%len(states)]
				c.Fingerprint = fmt.Sprint("fp", i%7)
				c.SuspectKey = fmt.Sprint("sk", i%3/2) // sk0 for two thirds: more than 100
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			fps := []string{"fp0", "fp3", "fp6", "fp-none"}
			keys := []string{"sk0", "sk1", "sk-none"}
			controls := []string{"CH000000000002", "CH000000000003", "CH000000000130", "CH-none"}
			byFP, bySK, named, err := s.SetCandidates(ctx, fps, keys, controls)
			if err != nil {
				t.Fatal(err)
			}
			wantFP, err := s.LatestByFingerprints(ctx, fps)
			if err != nil {
				t.Fatal(err)
			}
			wantSK, err := s.FindBySuspectKeys(ctx, keys)
			if err != nil {
				t.Fatal(err)
			}
			wantNamed, err := s.ClaimsByControls(ctx, controls)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(byFP, wantFP) {
				t.Errorf("by fingerprint:\n got %+v\nwant %+v", byFP, wantFP)
			}
			if len(bySK["sk0"]) != 100 || !reflect.DeepEqual(bySK, wantSK) {
				t.Errorf("by suspect key: %d and %d claims, want %d and %d, equal", len(bySK["sk0"]), len(bySK["sk1"]), len(wantSK["sk0"]), len(wantSK["sk1"]))
			}
			if len(named) != 3 || !reflect.DeepEqual(named, wantNamed) {
				t.Errorf("by control number:\n got %+v\nwant %+v", named, wantNamed)
			}
		})
	}
}
