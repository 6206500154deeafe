package inquiry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/clearinghouse/clearinghouse/inquiry"
	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// TestStorePayments answers claim status from remittances in the store:
// a paid claim is F1 with the amount, payment date and trace of its 835
// (found by our control number and by the payer's claim number), a denied
// one F2, and a reversal without a correction F3; lines carry their paid
// amounts; another partner never finds the claim by the payer's number.
func TestStorePayments(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			st := dbtest.Open(t, store.Config{URL: be.URL(t)})
			in, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "acme", Name: "claims.x12", SHA256: strings.Repeat("a1", 32), Size: 10, SpoolPath: "/spool/aa11"})
			if err != nil {
				t.Fatal(err)
			}
			var claims []*store.Claim
			for i, cn := range []string{"CH000000000101", "CH000000000102"} {
				c := &store.Claim{InboundFileID: in.ID, PartnerID: "acme", ControlNumber: cn, CLM01: "PCN10" + cn[len(cn)-1:],
					ClaimType: "P", Frequency: "1", State: store.ClaimForwarded, BilledCents: 20000,
					PayerID: "PAYER01", SubmitterID: "SUBM01", BillingNPI: "1234567893", BillingTIN: "990000001",
					MemberID: "ZZM00000" + cn[len(cn)-1:], PatientLast: "TESTPATIENT", PatientFirst: "ALEX", PatientDOB: "19800101",
					ServiceFrom: "20261101", ServiceTo: "20261101", Fingerprint: "fp" + cn, SuspectKey: "sk" + cn, RawOffset: int64(100 * (i + 1)), RawLength: 90,
					Lines: []store.ClaimLine{{LineNo: 1, Code: "A0428", Units: 1000, UnitType: "UN", ChargeCents: 20000, ServiceFrom: "20261101", ServiceTo: "20261101"}}}
				if err := st.InsertClaim(ctx, c); err != nil {
					t.Fatal(err)
				}
				claims = append(claims, c)
			}
			tpa, _, err := st.RecordInbound(ctx, store.InboundFile{PartnerID: "tpa", Name: "era.835", SHA256: strings.Repeat("b2", 32), Size: 10, SpoolPath: "/spool/bb22"})
			if err != nil {
				t.Fatal(err)
			}
			clp := func(seq int, id int64, status string, paid int64) store.RemitClaim {
				return store.RemitClaim{Seq: seq, ClaimID: &id, MatchMethod: store.MatchRef, CLP01: "PCN", Status: status,
					ChargeCents: 20000, PaidCents: paid, PayerClaimNumber: "ICN-77",
					Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: 20000 - paid}},
					Lines: []store.RemitLine{{LineNo: 1, ProcedureQualifier: "HC", ProcedureCode: "A0428", ChargeCents: 20000, PaidCents: paid, Units: 1000,
						Adjustments: store.Adjustments{{Group: "CO", Reason: "45", Amount: 20000 - paid}}}}}
			}
			remit := func(offset int64, trace string, claims ...store.RemitClaim) {
				t.Helper()
				r := &store.Remittance{Direction: store.RemitIn, PartnerID: "tpa", InboundFileID: &tpa.ID, ISAControl: "000000101",
					GroupControl: "101", SetControl: "0001", ByteOffset: offset, PayerID: "PAYER01", PayerName: "TEST TPA",
					PayeeName: "TEST CLINIC", PayeeNPI: "1234567893", Handling: "C", CreditDebit: "C", PaymentMethod: "ACH",
					PaymentDate: "20261120", ProductionDate: "20261118", TraceNumber: trace, TraceOriginator: "1999999999", Claims: claims}
				for _, c := range claims {
					r.PaymentCents += c.PaidCents
				}
				if err := st.InsertRemittance(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			remit(106, "EFT0001", clp(1, claims[0].ID, "1", 15000), clp(2, claims[1].ID, "4", 0))

			resp := inquiry.NewClaimStatus(inquiry.StorePayments{})
			ask := func(partner, number string) inquiry.StatusAnswer {
				t.Helper()
				ans, err := resp.Answer(ctx, st, inquiry.StatusInquiry{PartnerID: partner, Trace: "T1", ClaimNumber: number,
					Lines: []inquiry.StatusLine{{Code: "A0428", Charge: 20000, ServiceFrom: "20261101"}}})
				if err != nil {
					t.Fatal(err)
				}
				return ans
			}
			ans := ask("acme", claims[0].ControlNumber)
			if len(ans.Claims) != 1 {
				t.Fatalf("by control number: %+v", ans)
			}
			c := ans.Claims[0]
			if c.Statuses[0] != inquiry.StatusPaid || c.Paid == nil || *c.Paid != 15000 || c.PaymentDate != "20261120" ||
				c.PaymentTrace != "EFT0001" || c.AdjudicatedOn != "20261118" || len(c.Lines) != 1 || c.Lines[0].Paid == nil || *c.Lines[0].Paid != 15000 {
				t.Fatalf("paid claim: %+v", c)
			}
			if ans := ask("acme", claims[1].ControlNumber); len(ans.Claims) != 1 || ans.Claims[0].Statuses[0] != inquiry.StatusDenied {
				t.Fatalf("denied claim: %+v", ans)
			}
			// The payer's claim number finds both claims it was given, for
			// acme only.
			if ans := ask("acme", "ICN-77"); len(ans.Claims) != 2 {
				t.Fatalf("by payer claim number: %+v", ans)
			}
			if ans := ask("other", "ICN-77"); ans.Found || len(ans.Claims) != 1 || ans.Claims[0].Claim != nil || ans.Claims[0].Statuses[0] != inquiry.StatusNotFound {
				t.Fatalf("another partner found %+v", ans)
			}
			// A reversal of the payment, with no correction yet.
			remit(2106, "EFT0002", clp(1, claims[0].ID, "22", -15000))
			if ans := ask("acme", claims[0].ControlNumber); len(ans.Claims) != 1 || ans.Claims[0].Statuses[0] != inquiry.StatusRevised ||
				ans.Claims[0].Paid == nil || *ans.Claims[0].Paid != 0 {
				t.Fatalf("reversed claim: %+v", ans)
			}
		})
	}
}
