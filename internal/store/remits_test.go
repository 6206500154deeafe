package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// remitClaim is a synthetic CLP paying (or reversing) a claim of
// sampleClaim's shape (HCPCS Level II codes, made-up patient).
func remitClaim(seq int, claimID *int64, status string, charge, paid, resp int64) store.RemitClaim {
	c := store.RemitClaim{Seq: seq, ClaimID: claimID, CLP01: "PCN-X", Status: status,
		ChargeCents: charge, PaidCents: paid, PatientRespCents: resp, PayerClaimNumber: "ICN-1",
		Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: charge - paid - resp}},
		Remarks:     "N381",
		Lines: []store.RemitLine{{LineNo: 1, ProcedureQualifier: "HC", ProcedureCode: "A0428", Modifiers: "RH",
			ChargeCents: charge, PaidCents: paid, Units: 1000, ServiceFrom: "20240210",
			Adjustments: store.Adjustments{{Group: "PR", Reason: "2", Amount: resp}}, Remarks: "N381;M86"}},
	}
	if claimID != nil {
		c.MatchMethod = store.MatchRef
	}
	return c
}

// TestRemittances checks the remittance store on every backend: a
// remittance round-trips with its claims and lines, payments follow the
// remit claims in order (payment, reversal, correction), deleting a
// remittance restores the claims' payments, unmatched claims are listed,
// operator matches count once, forwarding and holding happen once, and a
// file's remittances are forgotten on reprocess.
func TestRemittances(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			claimFile := record(t, ctx, s, "acme", "claims-for-remits")
			var claims []*store.Claim
			for i := 0; i < 3; i++ {
				c := sampleClaim(claimFile, fmt.Sprintf("R%04d", i))
				c.State = store.ClaimForwarded
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
				claims = append(claims, c)
			}
			tpaFile := record(t, ctx, s, "tpa", "first-835")
			first := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", InboundFileID: &tpaFile.ID,
				ISAControl: "000000101", GroupControl: "101", SetControl: "0001", ISAOffset: 0, ByteOffset: 106,
				PayerID: "TPA01", PayerName: "TEST TPA", PayeeName: "TEST AMBULANCE", PayeeNPI: "1234567893",
				Handling: "C", CreditDebit: "C", PaymentCents: 100000, PaymentMethod: "ACH", PaymentDate: "20240315",
				TraceNumber: "EFT0001", TraceOriginator: "1999999999",
				Claims: []store.RemitClaim{
					remitClaim(1, &claims[0].ID, "1", 152550, 100000, 2550),
					remitClaim(2, &claims[1].ID, "4", 152550, 0, 0),
					remitClaim(3, nil, "1", 5000, 4000, 0),
				}}
			first.Claims[2].Note = "no-claim"
			if err := s.InsertRemittance(ctx, first); err != nil {
				t.Fatal(err)
			}
			if first.ID == 0 || first.ClaimCount != 3 || first.MatchedCount != 2 || first.State != store.RemitReceived {
				t.Fatalf("inserted %+v", first)
			}
			// The same set of the same file again is a conflict.
			again := *first
			again.Claims = nil
			if err := s.InsertRemittance(ctx, &again); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("same set twice: %v", err)
			}
			got, err := s.GetRemittance(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.TraceNumber != "EFT0001" || got.PaymentDate != "20240315" || len(got.Claims) != 3 ||
				len(got.Claims[0].Lines) != 1 || got.Claims[0].Lines[0].Adjustments[0] != (store.Adjustment{Group: "PR", Reason: "2", Amount: 2550}) ||
				got.Claims[0].Adjustments[0].Amount != 50000 || got.Claims[0].RemarkList()[0] != "N381" ||
				got.Claims[1].Outcome != store.PaymentDenied || got.Claims[0].Outcome != store.PaymentPaid {
				t.Fatalf("round trip %+v", got)
			}
			checkPayment := func(c *store.Claim, status store.PaymentStatus, paid int64) {
				t.Helper()
				p, err := s.GetClaimPayment(ctx, c.ID)
				if status == store.PaymentNone {
					if !errors.Is(err, store.ErrNotFound) {
						t.Fatalf("claim %s: payment %+v, %v; want none", c.ControlNumber, p, err)
					}
				} else if err != nil || p.Status != status || p.PaidCents != paid {
					t.Fatalf("claim %s: payment %+v, %v; want %q %d", c.ControlNumber, p, err, status, paid)
				}
				g, err := s.GetClaim(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if g.State != store.ClaimForwarded {
					t.Fatalf("claim %s: state changed to %s", c.ControlNumber, g.State)
				}
			}
			checkPayment(claims[0], store.PaymentPaid, 100000)
			checkPayment(claims[1], store.PaymentDenied, 0)
			checkPayment(claims[2], store.PaymentNone, 0)
			paid, err := s.ListClaims(ctx, store.ClaimFilter{PaymentStatus: store.PaymentPaid})
			if err != nil || len(paid) != 1 || paid[0].ID != claims[0].ID {
				t.Fatalf("paid claims %v, %v", claimIDs(paid), err)
			}

			// A later 835 reverses the first payment and corrects it.
			tpaFile2 := record(t, ctx, s, "tpa", "second-835")
			second := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", InboundFileID: &tpaFile2.ID,
				PayeeNPI: "1234567893", Claims: []store.RemitClaim{
					remitClaim(1, &claims[0].ID, "22", -152550, -100000, -2550),
					remitClaim(2, &claims[0].ID, "1", 152550, 90000, 12550),
				}}
			second.Claims[1].Lines[0].PaidCents = 0 // the line denied: partial
			second.Claims[1].Lines[0].Adjustments = nil
			if err := s.InsertRemittance(ctx, second); err != nil {
				t.Fatal(err)
			}
			if second.Claims[0].Outcome != store.PaymentReversal || second.Claims[1].Outcome != store.PaymentPartial {
				t.Fatalf("outcomes %s %s", second.Claims[0].Outcome, second.Claims[1].Outcome)
			}
			checkPayment(claims[0], store.PaymentPartial, 90000)
			history, err := s.ListRemitClaims(ctx, store.RemitClaimFilter{ClaimID: claims[0].ID})
			if err != nil || len(history) != 3 || history[1].Status != "22" || history[1].PaidCents != -100000 {
				t.Fatalf("history %+v, %v", history, err)
			}
			// Deleting the correction leaves the claim reversed; deleting
			// the second remittance brings the first payment back.
			if _, err := s.DB().ExecContext(ctx, s.DB().Rebind(`DELETE FROM remit_lines WHERE remit_claim_id = ?`), second.Claims[1].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.DB().ExecContext(ctx, s.DB().Rebind(`DELETE FROM remit_claims WHERE id = ?`), second.Claims[1].ID); err != nil {
				t.Fatal(err)
			}
			if err := s.RefreshClaimPayments(ctx, []int64{claims[0].ID}); err != nil {
				t.Fatal(err)
			}
			checkPayment(claims[0], store.PaymentReversed, 0)
			if err := s.DeleteRemittance(ctx, second.ID); err != nil {
				t.Fatal(err)
			}
			checkPayment(claims[0], store.PaymentPaid, 100000)
			if _, err := s.GetRemittance(ctx, second.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("deleted remittance: %v", err)
			}

			// Unmatched claims are listed; an operator match counts once.
			un, err := s.ListRemitClaims(ctx, store.RemitClaimFilter{Unmatched: true, WithLines: true})
			if err != nil || len(un) != 1 || un[0].Note != "no-claim" || len(un[0].Lines) != 1 {
				t.Fatalf("unmatched %+v, %v", un, err)
			}
			if err := s.MatchRemitClaim(ctx, un[0].ID, claims[2].ID); err != nil {
				t.Fatal(err)
			}
			if err := s.MatchRemitClaim(ctx, un[0].ID, claims[2].ID); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("second match: %v", err)
			}
			if err := s.MatchRemitClaim(ctx, 999999, claims[2].ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown remit claim: %v", err)
			}
			checkPayment(claims[2], store.PaymentPaid, 4000)
			if got, _ := s.GetRemittance(ctx, first.ID); got.MatchedCount != 3 {
				t.Fatalf("matched count %d", got.MatchedCount)
			}

			// Held, then forwarded exactly once.
			if err := s.HoldRemittance(ctx, first.ID, "no ERA enrollment for payee NPI 1234567893"); err != nil {
				t.Fatal(err)
			}
			held, err := s.ListRemittances(ctx, store.RemittanceFilter{State: store.RemitHeld})
			if err != nil || len(held) != 1 || held[0].HoldReason == "" {
				t.Fatalf("held %+v, %v", held, err)
			}
			out := enqueue(t, ctx, s, "acme", "835-x.x12")
			if err := s.ForwardRemittance(ctx, first.ID, "acme", out.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.ForwardRemittance(ctx, first.ID, "acme", out.ID); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("forwarded twice: %v", err)
			}
			if err := s.HoldRemittance(ctx, first.ID, "late"); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("hold after forward: %v", err)
			}
			if got, _ := s.GetRemittance(ctx, first.ID); got.State != store.RemitForwarded || got.ForwardPartner != "acme" ||
				got.HoldReason != "" || got.OutboundFileID == nil || *got.OutboundFileID != out.ID {
				t.Fatalf("forwarded %+v", got)
			}

			// Reprocessing the TPA's file forgets its remittance and the
			// payments it made.
			if err := s.ForgetFileResults(ctx, tpaFile.ID); err != nil {
				t.Fatal(err)
			}
			checkPayment(claims[0], store.PaymentNone, 0)
			checkPayment(claims[2], store.PaymentNone, 0)
			if rs, _ := s.ListRemittances(ctx, store.RemittanceFilter{}); len(rs) != 0 {
				t.Fatalf("remittances after forget: %d", len(rs))
			}
		})
	}
}

// TestRemittanceValidation refuses remittances the store cannot keep.
func TestRemittanceValidation(t *testing.T) {
	s := dbtest.OpenSQLite(t)
	ctx := context.Background()
	id := int64(1)
	for _, tc := range []struct {
		name string
		r    store.Remittance
	}{
		{"direction", store.Remittance{Direction: "sideways", PartnerID: "p"}},
		{"partner", store.Remittance{Direction: store.RemitOut}},
		{"file", store.Remittance{Direction: store.RemitIn, PartnerID: "p"}},
		{"date", store.Remittance{Direction: store.RemitOut, PartnerID: "p", PaymentDate: "2024-03-15"}},
		{"seq", store.Remittance{Direction: store.RemitOut, PartnerID: "p", Claims: []store.RemitClaim{{Status: "1"}}}},
		{"status", store.Remittance{Direction: store.RemitOut, PartnerID: "p", Claims: []store.RemitClaim{{Seq: 1}}}},
		{"match", store.Remittance{Direction: store.RemitOut, PartnerID: "p", Claims: []store.RemitClaim{{Seq: 1, Status: "1", ClaimID: &id}}}},
		{"line", store.Remittance{Direction: store.RemitOut, PartnerID: "p", Claims: []store.RemitClaim{{Seq: 1, Status: "1", Lines: []store.RemitLine{{}}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.InsertRemittance(ctx, &tc.r); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("err %v, want ErrInvalid", err)
			}
		})
	}
}

// TestClassify derives a CLP's outcome from its status and amounts.
func TestClassify(t *testing.T) {
	line := func(charge, paid, pr int64) store.RemitLine {
		return store.RemitLine{LineNo: 1, ChargeCents: charge, PaidCents: paid,
			Adjustments: store.Adjustments{{Group: "PR", Reason: "1", Amount: pr}}}
	}
	for _, tc := range []struct {
		name string
		c    store.RemitClaim
		want store.PaymentStatus
	}{
		{"reversal", store.RemitClaim{Status: "22", PaidCents: -100}, store.PaymentReversal},
		{"denied status", store.RemitClaim{Status: "4"}, store.PaymentDenied},
		{"nothing paid or owed", store.RemitClaim{Status: "23"}, store.PaymentDenied},
		{"paid", store.RemitClaim{Status: "1", PaidCents: 100, Lines: []store.RemitLine{line(100, 100, 0)}}, store.PaymentPaid},
		{"deductible only", store.RemitClaim{Status: "1", PatientRespCents: 100, Lines: []store.RemitLine{line(100, 0, 100)}}, store.PaymentPaid},
		{"a line denied", store.RemitClaim{Status: "2", PaidCents: 100, Lines: []store.RemitLine{line(100, 100, 0), line(50, 0, 0)}}, store.PaymentPartial},
		{"forwarded", store.RemitClaim{Status: "19", PaidCents: 100}, store.PaymentPaid},
	} {
		if got := tc.c.Classify(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestERAEnrollments: one partner per NPI/TIN, lookups by NPI before TIN,
// configuration sync leaves command-line enrollments alone.
func TestERAEnrollments(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			if err := s.EnrollERA(ctx, store.ERAEnrollment{Kind: store.ERAByNPI, Value: "123", PartnerID: "acme", Source: store.ERAFromCLI}); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("short NPI: %v", err)
			}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(s.EnrollERA(ctx, store.ERAEnrollment{Kind: store.ERAByNPI, Value: "1234567893", PartnerID: "acme", Source: store.ERAFromCLI}))
			must(s.EnrollERA(ctx, store.ERAEnrollment{Kind: store.ERAByTIN, Value: "99-0000001", PartnerID: "beta", Source: store.ERAFromCLI}))
			e, err := s.ERAPartner(ctx, "1234567893", "990000001")
			if err != nil || e.PartnerID != "acme" || e.Kind != store.ERAByNPI {
				t.Fatalf("by NPI: %+v, %v", e, err)
			}
			e, err = s.ERAPartner(ctx, "1111111112", "99-0000001")
			if err != nil || e.PartnerID != "beta" {
				t.Fatalf("by TIN: %+v, %v", e, err)
			}
			if _, err := s.ERAPartner(ctx, "1111111112", ""); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown: %v", err)
			}
			// Re-enrolling moves the NPI; config sync adds and removes its own.
			must(s.EnrollERA(ctx, store.ERAEnrollment{Kind: store.ERAByNPI, Value: "1234567893", PartnerID: "beta", Source: store.ERAFromCLI}))
			must(s.SyncConfigERA(ctx, []store.ERAEnrollment{{Kind: store.ERAByNPI, Value: "1111111112", PartnerID: "acme"}}))
			must(s.SyncConfigERA(ctx, []store.ERAEnrollment{{Kind: store.ERAByNPI, Value: "2222222220", PartnerID: "acme"}}))
			es, err := s.ListERAEnrollments(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.PartnerID+"/"+e.Kind+"/"+e.Value+"/"+e.Source)
			}
			want := "[acme/npi/2222222220/config beta/npi/1234567893/cli beta/tin/990000001/cli]"
			if fmt.Sprint(got) != want {
				t.Fatalf("enrollments %v, want %s", got, want)
			}
			must(s.UnenrollERA(ctx, store.ERAByTIN, "99-0000001"))
			if err := s.UnenrollERA(ctx, store.ERAByTIN, "990000001"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("second unenroll: %v", err)
			}
		})
	}
}

// TestMatchCandidates looks claims up by control number and by CLM01 in
// batches, leaving out rejected and duplicate claims for CLM01.
func TestMatchCandidates(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			s := dbtest.Open(t, store.Config{URL: be.URL(t)})
			in := record(t, ctx, s, "acme", "candidates")
			var controls []string
			for i := 0; i < 900; i++ { // more than one batch
				c := sampleClaim(in, fmt.Sprintf("M%05d", i))
				c.CLM01 = fmt.Sprintf("PCN%d", i%450)
				if i == 5 {
					c.State = store.ClaimRejected
				}
				if err := s.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
				controls = append(controls, c.ControlNumber)
			}
			byControl, err := s.ClaimsByControlNumbers(ctx, append(controls, "NOPE", ""))
			if err != nil || len(byControl) != 900 || byControl["M00007"].CLM01 != "PCN7" {
				t.Fatalf("by control: %d, %v", len(byControl), err)
			}
			var pcns []string
			for i := 0; i < 450; i++ {
				pcns = append(pcns, fmt.Sprintf("PCN%d", i))
			}
			byCLM01, err := s.ClaimsByCLM01s(ctx, pcns)
			if err != nil || len(byCLM01["PCN7"]) != 2 || len(byCLM01["PCN5"]) != 1 || byCLM01["PCN7"][0].ControlNumber != "M00007" {
				t.Fatalf("by clm01: %d %+v, %v", len(byCLM01), byCLM01["PCN5"], err)
			}
			// A large remittance (the bulk path on PostgreSQL) round-trips.
			tpa := record(t, ctx, s, "tpa", "bulk-835")
			r := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", InboundFileID: &tpa.ID}
			for i := 0; i < 10; i++ {
				id := byControl[controls[i]].ID
				r.Claims = append(r.Claims, remitClaim(i+1, &id, "1", 152550, int64(1000*(i+1)), 0))
			}
			r.Claims = append(r.Claims, remitClaim(11, nil, "4", 100, 0, 0))
			if err := s.InsertRemittance(ctx, r); err != nil {
				t.Fatal(err)
			}
			got, err := s.GetRemittance(ctx, r.ID)
			if err != nil || len(got.Claims) != 11 || got.MatchedCount != 10 || got.Claims[9].PaidCents != 10000 ||
				len(got.Claims[9].Lines) != 1 || got.Claims[9].Lines[0].ProcedureCode != "A0428" ||
				got.Claims[9].Adjustments.Total("CO") != 152550-10000 || got.Claims[10].Outcome != store.PaymentDenied {
				t.Fatalf("bulk remittance %+v, %v", got, err)
			}
			pays, err := s.ClaimPaymentsOf(ctx, []int64{byControl[controls[9]].ID, byControl[controls[899]].ID})
			if err != nil || len(pays) != 1 || pays[byControl[controls[9]].ID].Status != store.PaymentPaid ||
				pays[byControl[controls[9]].ID].PaidCents != 10000 {
				t.Fatalf("claim payments %+v, %v", pays, err)
			}
		})
	}
}
