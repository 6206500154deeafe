package remit

import (
	"errors"
	"fmt"
)

// Balancing (reference §4.2), in integer cents:
//
//	line         SVC02 − Σ line CAS amounts = SVC03
//	claim        CLP03 − Σ claim CAS − Σ line CAS = CLP04
//	transaction  BPR02 = Σ CLP04 − Σ PLB amounts   (BPR03 D: −BPR02)
//	patient      CLP05 = Σ CAS amounts of group PR, claim and lines
//	             (when CLP05 is sent; not required of a reversal)
//
// Reversals (CLP02 22) carry every amount of the original claim negated
// (CLP03, CLP04, CLP05 and each CAS amount under its original group and
// reason), so they balance like any claim and subtract the original
// payment from Σ CLP04. The correction that follows is an ordinary claim.

// IsReversal reports whether the claim reverses a previous payment
// (CLP02 22): its amounts are the original's, negated.
func (c *Claim) IsReversal() bool { return c.Status == "22" }

// IsDenied reports whether the claim was denied (CLP02 4).
func (c *Claim) IsDenied() bool { return c.Status == "4" }

// Total returns the sum of the reason amounts of one CAS.
func (a *Adjustment) Total() int64 {
	var t int64
	for _, r := range a.Reasons {
		t += r.Amount
	}
	return t
}

// adjustmentTotal sums the amounts of adjs in group ("" for every group).
func adjustmentTotal(adjs []Adjustment, group string) int64 {
	var t int64
	for i := range adjs {
		if group == "" || adjs[i].Group == group {
			t += adjs[i].Total()
		}
	}
	return t
}

// AdjustmentTotal returns the sum of the line's CAS amounts.
func (l *Line) AdjustmentTotal() int64 { return adjustmentTotal(l.Adjustments, "") }

// ExpectedPaid returns SVC02 less the line adjustments: what SVC03 must be.
func (l *Line) ExpectedPaid() int64 { return l.Charge - l.AdjustmentTotal() }

// AdjustmentTotal returns the sum of the claim-level CAS amounts (not the
// lines').
func (c *Claim) AdjustmentTotal() int64 { return adjustmentTotal(c.Adjustments, "") }

// LineAdjustmentTotal returns the sum of the CAS amounts of every line.
func (c *Claim) LineAdjustmentTotal() int64 {
	var t int64
	for _, l := range c.Lines {
		t += l.AdjustmentTotal()
	}
	return t
}

// ExpectedPaid returns CLP03 less the claim and line adjustments: what
// CLP04 must be.
func (c *Claim) ExpectedPaid() int64 { return c.Charge - c.AdjustmentTotal() - c.LineAdjustmentTotal() }

// PatientResponsibilityTotal returns the CAS amounts of group PR, claim
// and lines: what CLP05 must be when sent.
func (c *Claim) PatientResponsibilityTotal() int64 {
	t := adjustmentTotal(c.Adjustments, "PR")
	for _, l := range c.Lines {
		t += adjustmentTotal(l.Adjustments, "PR")
	}
	return t
}

// Total returns the sum of the PLB amounts of one segment.
func (p *ProviderAdjustment) Total() int64 {
	var t int64
	for _, it := range p.Items {
		t += it.Amount
	}
	return t
}

// NetPayment returns Σ CLP04 − Σ PLB amounts over the claims of Groups:
// BPR02 for a credit, −BPR02 for a debit. (A remittance from the
// streaming Decoder has no Groups: use Totals.Paid − Σ PLB there.)
func (r *Remittance) NetPayment() int64 {
	var t int64
	for c := range r.Claims() {
		t += c.Paid
	}
	for i := range r.Adjustments {
		t -= r.Adjustments[i].Total()
	}
	return t
}

// ComputeTotals fills the derived amounts from the charges and
// adjustments, bottom up: each line's Paid (SVC03), each claim's Paid
// (CLP04) and patient responsibility (CLP05, sent when not zero), and the
// payment amount (BPR02) with its credit/debit flag (BPR03: D when the net
// is negative). Use it to build a remittance that balances by
// construction; Write still checks it.
func (r *Remittance) ComputeTotals() {
	for c := range r.Claims() {
		for _, l := range c.Lines {
			l.Paid = l.ExpectedPaid()
		}
		c.Paid = c.ExpectedPaid()
		c.PatientResponsibility = c.PatientResponsibilityTotal()
		c.HasPatientResponsibility = c.PatientResponsibility != 0
	}
	net := r.NetPayment()
	r.Payment.Amount, r.Payment.CreditDebit = net, "C"
	if net < 0 {
		r.Payment.Amount, r.Payment.CreditDebit = -net, "D"
	}
}

// ErrUnbalanced means amounts that must add up do not (see CheckBalance).
var ErrUnbalanced = errors.New("amounts do not balance")

// CheckBalance checks the balancing rules and returns nil, or one
// *FieldError per failure (joined), naming the element that should equal
// the sum, with the amounts (amounts are not PHI).
func (r *Remittance) CheckBalance() error {
	k := &checker{}
	k.balance(r)
	return errors.Join(k.errs...)
}

// balance runs the balancing rules for the remittance at k's position.
func (k *checker) balance(r *Remittance) {
	ci := 0
	for _, g := range r.Groups {
		for _, c := range g.Claims {
			ci++
			k.claim, k.line = ci, 0
			for li, l := range c.Lines {
				k.line = li + 1
				if want := l.ExpectedPaid(); l.Paid != want {
					k.fail("Line.Paid", "2110 SVC03", fmt.Errorf("%w: SVC03 %d cents, SVC02 less the line adjustments is %d", ErrUnbalanced, l.Paid, want))
				}
			}
			k.line = 0
			if want := c.ExpectedPaid(); c.Paid != want {
				k.fail("Claim.Paid", "2100 CLP04", fmt.Errorf("%w: CLP04 %d cents, CLP03 less the claim and line adjustments is %d", ErrUnbalanced, c.Paid, want))
			}
			if want := c.PatientResponsibilityTotal(); c.HasPatientResponsibility && !c.IsReversal() && c.PatientResponsibility != want {
				k.fail("Claim.PatientResponsibility", "2100 CLP05", fmt.Errorf("%w: CLP05 %d cents, the PR adjustments are %d", ErrUnbalanced, c.PatientResponsibility, want))
			}
		}
	}
	k.claim = 0
	got := r.Payment.Amount
	if r.Payment.CreditDebit == "D" {
		got = -got
	}
	if r.Payment.Handling == "H" && r.Payment.Amount != 0 {
		k.fail("Payment.Amount", "BPR02", fmt.Errorf("%w: a notification (BPR01 H) moves no money, BPR02 must be 0", ErrUnbalanced))
	} else if want := r.NetPayment(); got != want {
		k.fail("Payment.Amount", "BPR02", fmt.Errorf("%w: BPR02 %d cents (%s), the claim payments less the provider adjustments are %d", ErrUnbalanced, r.Payment.Amount, creditDebit(r.Payment.CreditDebit), want))
	}
}

func creditDebit(f string) string {
	if f == "D" {
		return "debit"
	}
	return "credit"
}
