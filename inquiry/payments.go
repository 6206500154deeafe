package inquiry

import (
	"context"
	"errors"
	"fmt"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// paymentStore is what StorePayments reads: the claim_payments,
// remit_claims and remittances tables of the 835 pipeline. *store.Store,
// *store.Tx and *store.Queries satisfy it.
type paymentStore interface {
	GetClaimPayment(ctx context.Context, claimID int64) (*store.ClaimPayment, error)
	GetRemitClaim(ctx context.Context, id int64) (*store.RemitClaim, error)
	GetRemittanceHeader(ctx context.Context, id int64) (*store.Remittance, error)
	ClaimsByPayerClaimNumber(ctx context.Context, partnerID, number string) ([]int64, error)
}

// StorePayments reads remittances from the store the claims are looked up
// in (the lookup given to Answer: the file's transaction in batch, the
// store in real time), so an answer sees the payments committed with
// the claims it reads. A lookup that is not a store has no payments.
type StorePayments struct{}

// LatestPayment implements Payments: the payment in effect for the claim
// (after reversals and corrections, see store.RefreshClaimPayments), with
// the remittance's payment date, trace and production date, and its
// service lines by their position in the remitted claim.
func (StorePayments) LatestPayment(ctx context.Context, lookup ClaimLookup, claimID int64) (*Payment, error) {
	ps, ok := lookup.(paymentStore)
	if !ok {
		return nil, nil
	}
	p, err := ps.GetClaimPayment(ctx, claimID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rc, err := ps.GetRemitClaim(ctx, p.RemitClaimID)
	if err != nil {
		return nil, fmt.Errorf("payment of claim %d: %w", claimID, err)
	}
	r, err := ps.GetRemittanceHeader(ctx, rc.RemittanceID)
	if err != nil {
		return nil, fmt.Errorf("payment of claim %d: %w", claimID, err)
	}
	out := &Payment{ClaimStatus: rc.Status, Charge: rc.ChargeCents, Paid: p.PaidCents, PayerClaimNumber: rc.PayerClaimNumber,
		AdjudicatedOn: r.ProductionDate, PaymentDate: r.PaymentDate, Trace: r.TraceNumber}
	if p.Status == store.PaymentReversed {
		// The payment in effect is a reversal with no correction yet.
		out.ClaimStatus, out.Paid = "22", 0
	}
	for _, l := range rc.Lines {
		out.Lines = append(out.Lines, LinePayment{LineNo: l.LineNo, Code: l.ProcedureCode, Charge: l.ChargeCents, Paid: l.PaidCents})
	}
	return out, nil
}

// ClaimsByPayerClaimNumber implements Payments.
func (StorePayments) ClaimsByPayerClaimNumber(ctx context.Context, lookup ClaimLookup, partnerID, number string) ([]int64, error) {
	ps, ok := lookup.(paymentStore)
	if !ok {
		return nil, nil
	}
	return ps.ClaimsByPayerClaimNumber(ctx, partnerID, number)
}
