package inquiry

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// StatusInquiry is one claim of a 276 (a 2200D or 2200E loop) with what
// its parent loops say. Dates are CCYYMMDD; money is cents.
type StatusInquiry struct {
	// PartnerID is who asks: only its own claims are searched. It is
	// required unless AllPartners is set.
	PartnerID string `json:"partner_id"`
	// AllPartners searches every partner's claims (an operator asking,
	// never a partner).
	AllPartners bool `json:"-"`
	// PayerID is 2100A NM109.
	PayerID string `json:"payer_id,omitempty"`
	// ProviderNPI and ProviderTIN are 2100C NM109 (XX or FI).
	ProviderNPI string `json:"provider_npi,omitempty"`
	ProviderTIN string `json:"provider_tin,omitempty"`
	// MemberID is the subscriber's 2100D NM109. PHI.
	MemberID string `json:"member_id,omitempty"`
	// Trace is TRN02, echoed in the answer.
	Trace string `json:"trace"`
	// ClaimNumber is REF*1K: our control number (or the payer's claim
	// number from a remittance).
	ClaimNumber string `json:"claim_number,omitempty"`
	// CLM01 is REF*EJ, the patient control number.
	CLM01 string `json:"clm01,omitempty"`
	// ServiceFrom and ServiceTo are DTP*472 (ServiceTo "" = ServiceFrom).
	ServiceFrom string `json:"service_from,omitempty"`
	ServiceTo   string `json:"service_to,omitempty"`
	// Charge is AMT*T3 in cents when HasCharge.
	Charge    int64 `json:"charge_cents,omitempty"`
	HasCharge bool  `json:"-"`
	// Lines are the 2210D service lines asked about.
	Lines []StatusLine `json:"lines,omitempty"`
}

// StatusLine is a 2210D SVC the inquiry asks about.
type StatusLine struct {
	// Code is the procedure (SVC01-2) or revenue code.
	Code string `json:"code"`
	// Charge is SVC02 in cents.
	Charge int64 `json:"charge_cents"`
	// ServiceFrom and ServiceTo are the line's DTP*472.
	ServiceFrom string `json:"service_from,omitempty"`
	ServiceTo   string `json:"service_to,omitempty"`
	// Control is REF*FJ, echoed.
	Control string `json:"control,omitempty"`
}

// Status is one STC composite: category:status[:entity].
type Status struct {
	Category string `json:"category"`
	Code     string `json:"code"`
	Entity   string `json:"entity,omitempty"`
}

// String returns the composite with ':' separators, e.g. "A7:164:IL".
func (s Status) String() string {
	out := s.Category + ":" + s.Code
	if s.Entity != "" {
		out += ":" + s.Entity
	}
	return out
}

// ParseStatus reads a "category:status[:entity]" composite as the store
// keeps them in claims.reasons.
func ParseStatus(s string) (Status, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return Status{}, false
	}
	st := Status{Category: parts[0], Code: parts[1]}
	if len(parts) == 3 {
		st.Entity = parts[2]
	}
	return st, true
}

// The statuses a claim's state gives when no remittance is known
// (x12-reference §6; verify the choices with each partner).
var (
	// StatusAccepted: accepted by us, being repriced and routed.
	StatusAccepted = Status{Category: "A2", Code: "20"}
	// StatusSuspect: held for duplicate review.
	StatusSuspect = Status{Category: "P1", Code: "78"}
	// StatusForwarded: forwarded to the TPA, which prices and pays it.
	StatusForwarded = Status{Category: "P2", Code: "16", Entity: "PR"}
	// StatusReplaced: superseded by a corrected claim (frequency 7): the
	// replacement carries the claim on.
	StatusReplaced = Status{Category: "F3", Code: "101"}
	// StatusVoided: cancelled by a void claim (frequency 8).
	StatusVoided = Status{Category: "F0", Code: "101"}
	// StatusNotFound: no claim has the claim number sent.
	StatusNotFound = Status{Category: "A4", Code: "35"}
	// StatusSearchFailed: the search by member, dates and charge found
	// nothing.
	StatusSearchFailed = Status{Category: "D0", Code: "35"}
	// StatusPaid, StatusDenied and StatusRevised come from a remittance:
	// paid (in full or in part; STC05 says how much), denied (nothing
	// paid), revised (a reversal or correction of an earlier payment).
	StatusPaid    = Status{Category: "F1", Code: "65"}
	StatusDenied  = Status{Category: "F2", Code: "1"}
	StatusRevised = Status{Category: "F3", Code: "1"}
)

// Payment is what a remittance (835 CLP) said about a claim.
type Payment struct {
	// ClaimStatus is CLP02 (1, 2, 3 processed, 4 denied, 22 reversal ...).
	ClaimStatus string
	// Charge and Paid are CLP03 and CLP04 in cents.
	Charge, Paid int64
	// PayerClaimNumber is CLP07.
	PayerClaimNumber string
	// AdjudicatedOn is when the payer finalized the claim (CCYYMMDD; the
	// 835 production date when nothing better is known).
	AdjudicatedOn string
	// PaymentDate is BPR16 and Trace TRN02 (the check or EFT number).
	PaymentDate string
	Trace       string
	// Lines are the SVC payments, by the claim's line number (0 when the
	// remittance line could not be tied to a line).
	Lines []LinePayment
}

// LinePayment is one 835 SVC.
type LinePayment struct {
	LineNo int
	Code   string
	Charge int64
	Paid   int64
}

// Payments is where remittances are read (the claim_payments table of
// the 835 pipeline). A nil Payments answers from claim states only.
type Payments interface {
	// LatestPayment returns the latest remittance of the claim with this
	// ID, or nil when none is known, read through lookup (the store or
	// the transaction the claim was read in).
	LatestPayment(ctx context.Context, lookup ClaimLookup, claimID int64) (*Payment, error)
	// ClaimsByPayerClaimNumber returns the IDs of a partner's claims a
	// remittance gave this payer claim number (CLP07).
	ClaimsByPayerClaimNumber(ctx context.Context, lookup ClaimLookup, partnerID, number string) ([]int64, error)
}

// ClaimLookup is what the status responder reads from the store;
// *store.Store, *store.Tx and *store.Queries satisfy it.
type ClaimLookup interface {
	FindClaimsForStatus(ctx context.Context, k store.ClaimStatusKeys) ([]store.Claim, error)
	GetClaim(ctx context.Context, id int64) (*store.Claim, error)
}

// ClaimStatus is the answer for one claim found (a 2200D of the 277).
type ClaimStatus struct {
	// Claim is the claim found (nil when none was).
	Claim *store.Claim `json:"-"`
	// ControlNumber and CLM01 are echoed as REF*1K and REF*EJ.
	ControlNumber string `json:"control_number,omitempty"`
	CLM01         string `json:"clm01,omitempty"`
	// State is the claim's state.
	State store.ClaimState `json:"state,omitempty"`
	// Statuses are STC01, STC10 and STC11 (at most three).
	Statuses []Status `json:"statuses"`
	// Effective is STC02, CCYYMMDD.
	Effective string `json:"effective,omitempty"`
	// Charge is STC04 (cents).
	Charge int64 `json:"charge_cents"`
	// Paid (STC05), AdjudicatedOn (STC06), PaymentDate (STC08) and
	// PaymentTrace (STC09) come from the remittance when known.
	Paid          *int64 `json:"paid_cents,omitempty"`
	AdjudicatedOn string `json:"adjudicated_on,omitempty"`
	PaymentDate   string `json:"payment_date,omitempty"`
	PaymentTrace  string `json:"payment_trace,omitempty"`
	// ServiceFrom and ServiceTo are the claim's DTP*472.
	ServiceFrom string `json:"service_from,omitempty"`
	ServiceTo   string `json:"service_to,omitempty"`
	// Lines are the 2220D answers, one per line asked.
	Lines []LineStatus `json:"lines,omitempty"`
}

// LineStatus answers one 2210D line.
type LineStatus struct {
	Asked StatusLine `json:"asked"`
	// LineNo is the claim line matched (0 none).
	LineNo   int      `json:"line_no,omitempty"`
	Statuses []Status `json:"statuses"`
	Paid     *int64   `json:"paid_cents,omitempty"`
}

// StatusAnswer answers one 276 claim inquiry: TRN02 echoed, then one
// ClaimStatus per claim found (a not-found status when none was).
type StatusAnswer struct {
	Trace  string        `json:"trace"`
	Claims []ClaimStatus `json:"claims"`
	// Found reports whether any claim matched.
	Found bool `json:"found"`
}

// ClaimStatusResponder answers 276 inquiries from our claims (and
// remittances, when Payments is set). It is safe for concurrent use.
type ClaimStatusResponder struct {
	payments Payments
	// MaxClaims caps the claims one inquiry is answered with (newest
	// first). Default 10.
	maxClaims int
}

// NewClaimStatus returns a responder; payments may be nil.
func NewClaimStatus(payments Payments) *ClaimStatusResponder {
	return &ClaimStatusResponder{payments: payments, maxClaims: 10}
}

// Answer answers one inquiry reading claims through lookup. The error is
// for lookup failures only.
func (r *ClaimStatusResponder) Answer(ctx context.Context, lookup ClaimLookup, inq StatusInquiry) (StatusAnswer, error) {
	ans := StatusAnswer{Trace: inq.Trace}
	claims, byNumber, err := r.find(ctx, lookup, inq)
	if err != nil {
		return StatusAnswer{}, fmt.Errorf("inquiry: claim status: %w", err)
	}
	if len(claims) == 0 {
		st := StatusSearchFailed
		if byNumber {
			st = StatusNotFound
		}
		ans.Claims = []ClaimStatus{{Statuses: []Status{st}, Charge: inq.Charge, ServiceFrom: inq.ServiceFrom, ServiceTo: inq.ServiceTo,
			CLM01: inq.CLM01, ControlNumber: inq.ClaimNumber}}
		return ans, nil
	}
	ans.Found = true
	for i := range claims {
		var pay *Payment
		if r.payments != nil {
			if pay, err = r.payments.LatestPayment(ctx, lookup, claims[i].ID); err != nil {
				return StatusAnswer{}, fmt.Errorf("inquiry: claim status: payment: %w", err)
			}
		}
		ans.Claims = append(ans.Claims, DecideStatus(&claims[i], pay, inq.Lines))
	}
	return ans, nil
}

// find returns the inquiry's claims, newest first, and whether a claim
// number (REF*1K or REF*EJ) was searched for.
func (r *ClaimStatusResponder) find(ctx context.Context, lookup ClaimLookup, inq StatusInquiry) ([]store.Claim, bool, error) {
	if inq.PartnerID == "" && !inq.AllPartners {
		return nil, false, errors.New("no partner")
	}
	if inq.AllPartners {
		inq.PartnerID = ""
	}
	keys := store.ClaimStatusKeys{PartnerID: inq.PartnerID, BillingNPI: strings.TrimSpace(inq.ProviderNPI),
		MemberID: strings.TrimSpace(inq.MemberID)}
	if keys.BillingNPI == "" {
		keys.BillingTIN = strings.TrimSpace(inq.ProviderTIN)
	}
	var found []store.Claim
	number := strings.TrimSpace(inq.ClaimNumber)
	clm01 := strings.TrimSpace(inq.CLM01)
	switch {
	case number != "":
		k := keys
		k.ControlNumber = number
		cs, err := lookup.FindClaimsForStatus(ctx, k)
		if err != nil {
			return nil, true, err
		}
		if len(cs) == 0 && r.payments != nil && inq.PartnerID != "" {
			ids, err := r.payments.ClaimsByPayerClaimNumber(ctx, lookup, inq.PartnerID, number)
			if err != nil {
				return nil, true, err
			}
			for _, id := range ids {
				c, err := lookup.GetClaim(ctx, id)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return nil, true, err
				}
				if keys.Match(c) {
					cs = append(cs, *c)
				}
			}
		}
		found = cs
	case clm01 != "":
		k := keys
		k.CLM01 = clm01
		cs, err := lookup.FindClaimsForStatus(ctx, k)
		if err != nil {
			return nil, true, err
		}
		found = narrow(cs, inq)
	case keys.MemberID != "":
		cs, err := lookup.FindClaimsForStatus(ctx, keys)
		if err != nil {
			return nil, false, err
		}
		// Without a claim number the dates and the charge must say which.
		if inq.ServiceFrom == "" && !inq.HasCharge {
			return nil, false, nil
		}
		found = narrow(cs, inq)
	default:
		return nil, false, nil
	}
	if payer := strings.TrimSpace(inq.PayerID); payer != "" {
		found = filterClaims(found, func(c *store.Claim) bool { return c.PayerID == "" || c.PayerID == payer })
	}
	if len(found) > r.maxClaims {
		found = found[:r.maxClaims]
	}
	return found, number != "" || clm01 != "", nil
}

// narrow keeps the claims whose dates of service overlap the inquiry's
// and whose charge equals AMT*T3, when the inquiry sends them.
func narrow(cs []store.Claim, inq StatusInquiry) []store.Claim {
	return filterClaims(cs, func(c *store.Claim) bool {
		if inq.HasCharge && c.BilledCents != inq.Charge {
			return false
		}
		if inq.ServiceFrom != "" {
			to := inq.ServiceTo
			if to == "" {
				to = inq.ServiceFrom
			}
			cto := c.ServiceTo
			if cto == "" {
				cto = c.ServiceFrom
			}
			if c.ServiceFrom == "" || c.ServiceFrom > to || cto < inq.ServiceFrom {
				return false
			}
		}
		return true
	})
}

func filterClaims(cs []store.Claim, keep func(*store.Claim) bool) []store.Claim {
	out := cs[:0:0]
	for i := range cs {
		if keep(&cs[i]) {
			out = append(out, cs[i])
		}
	}
	return out
}

// DecideStatus is the status of one claim: from its remittance when one
// is known, else from its state (the rejection codes of its 277CA for a
// rejected claim). lines are the 2210D lines asked about.
func DecideStatus(c *store.Claim, pay *Payment, lines []StatusLine) ClaimStatus {
	cs := ClaimStatus{Claim: c, ControlNumber: c.ControlNumber, CLM01: c.CLM01, State: c.State, Charge: c.BilledCents,
		Effective: c.UpdatedAt.UTC().Format("20060102"), ServiceFrom: c.ServiceFrom, ServiceTo: c.ServiceTo}
	if pay != nil {
		st := StatusPaid
		switch {
		case pay.ClaimStatus == "22" || pay.ClaimStatus == "21" && pay.Paid < 0:
			st = StatusRevised
		case pay.Paid == 0 || pay.ClaimStatus == "4":
			st = StatusDenied
		}
		paid := pay.Paid
		cs.Statuses = []Status{st}
		cs.Paid, cs.AdjudicatedOn, cs.PaymentDate, cs.PaymentTrace = &paid, pay.AdjudicatedOn, pay.PaymentDate, pay.Trace
		if pay.AdjudicatedOn != "" {
			cs.Effective = pay.AdjudicatedOn
		}
	} else {
		cs.Statuses = stateStatuses(c)
	}
	for _, l := range lines {
		ls := LineStatus{Asked: l, Statuses: cs.Statuses}
		cl := matchLine(c, l)
		if cl == nil {
			ls.Statuses = []Status{StatusNotFound}
		} else {
			ls.LineNo = cl.LineNo
			if pay != nil {
				for _, lp := range pay.Lines {
					if lp.LineNo == cl.LineNo {
						p := lp.Paid
						ls.Paid = &p
					}
				}
			}
		}
		cs.Lines = append(cs.Lines, ls)
	}
	return cs
}

// stateStatuses is the status of a claim without a remittance.
func stateStatuses(c *store.Claim) []Status {
	switch c.State {
	case store.ClaimAccepted:
		return []Status{StatusAccepted}
	case store.ClaimSuspect:
		return []Status{StatusSuspect}
	case store.ClaimForwarded:
		return []Status{StatusForwarded}
	case store.ClaimReplaced:
		return []Status{StatusReplaced}
	case store.ClaimVoided:
		return []Status{StatusVoided}
	}
	// Rejected and duplicate claims: the composites of their 277CA.
	var out []Status
	for _, r := range c.ReasonList() {
		if st, ok := ParseStatus(r); ok && len(out) < 3 {
			out = append(out, st)
		}
	}
	if len(out) == 0 {
		out = []Status{{Category: "A3", Code: "21"}}
	}
	return out
}

// matchLine finds the claim line an inquiry line is about: same code and
// charge, and dates overlapping when both have them.
func matchLine(c *store.Claim, l StatusLine) *store.ClaimLine {
	for i := range c.Lines {
		cl := &c.Lines[i]
		if (cl.Code != l.Code && cl.RevenueCode != l.Code) || cl.ChargeCents != l.Charge {
			continue
		}
		if l.ServiceFrom != "" && cl.ServiceFrom != "" {
			to, cto := cmp(l.ServiceTo, l.ServiceFrom), cmp(cl.ServiceTo, cl.ServiceFrom)
			if cl.ServiceFrom > to || cto < l.ServiceFrom {
				continue
			}
		}
		return cl
	}
	return nil
}
