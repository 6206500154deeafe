package remittance

import (
	"context"
	"fmt"

	"github.com/clearinghouse/clearinghouse/internal/store"
)

// Notes on remit claims that did not match (store.RemitClaim.Note).
const (
	// NoteRefUnknown: the CLP's REF*9A/9C names no claim of ours, and
	// CLP01 + payer + provider + charge found none either.
	NoteRefUnknown = "ref-unknown"
	// NoteNoClaim: no claim has the CLP's CLP01, payer, billing provider
	// and charge.
	NoteNoClaim = "no-claim"
	// NoteAmbiguous: several claims in effect have them (never guessed).
	NoteAmbiguous = "ambiguous"
)

// Lookup is what matching reads of the store (store.Queries has it).
type Lookup interface {
	ClaimsByControlNumbers(ctx context.Context, controls []string) (map[string]store.MatchCandidate, error)
	ClaimsByCLM01s(ctx context.Context, clm01s []string) (map[string][]store.MatchCandidate, error)
}

// Match matches every CLP of r to one of our claims and sets its
// ClaimID, MatchMethod and Note: first by the repriced claim reference we
// sent (REF*9A/9C = our claim control number, ClaimRef), else by CLP01
// (the submitter's CLM01) with the payer, the billing provider and the
// charge. The payer matches when the claim's 2010BB payer ID is the 835's
// payer ID or the claim was forwarded to the partner the 835 came from;
// the provider when the claim's billing NPI is the payee's NPI (its TIN
// the payee's TIN when the payee has no NPI); the charge when the claim's
// billed amount is CLP03 (its absolute value: a reversal's amounts are
// negated). Among several such claims the ones in effect (not replaced,
// voided, rejected or duplicates) are kept; if more than one is left the
// CLP stays unmatched (NoteAmbiguous). Lookups are two batched queries
// per call, whatever the number of CLPs.
func Match(ctx context.Context, l Lookup, r *store.Remittance) error {
	var refs, clm01s []string
	for i := range r.Claims {
		c := &r.Claims[i]
		c.ClaimID, c.MatchMethod, c.Note = nil, "", ""
		if c.ClaimRef != "" {
			refs = append(refs, c.ClaimRef)
		}
	}
	byRef := map[string]store.MatchCandidate{}
	if len(refs) > 0 {
		var err error
		if byRef, err = l.ClaimsByControlNumbers(ctx, refs); err != nil {
			return fmt.Errorf("remittance: match by reference: %w", err)
		}
	}
	for i := range r.Claims {
		c := &r.Claims[i]
		if m, ok := byRef[c.ClaimRef]; ok && c.ClaimRef != "" {
			id := m.ID
			c.ClaimID, c.MatchMethod = &id, store.MatchRef
			continue
		}
		clm01s = append(clm01s, c.CLP01)
	}
	if len(clm01s) == 0 {
		return nil
	}
	byCLM01, err := l.ClaimsByCLM01s(ctx, clm01s)
	if err != nil {
		return fmt.Errorf("remittance: match by CLP01: %w", err)
	}
	for i := range r.Claims {
		c := &r.Claims[i]
		if c.ClaimID != nil {
			continue
		}
		var found []store.MatchCandidate
		for _, m := range byCLM01[c.CLP01] {
			if payerMatches(r, m) && providerMatches(r, m) && m.BilledCents == abs(c.ChargeCents) {
				found = append(found, m)
			}
		}
		if len(found) > 1 {
			found = inEffect(found)
		}
		switch {
		case len(found) == 1:
			id := found[0].ID
			c.ClaimID, c.MatchMethod = &id, store.MatchCLM01
		case len(found) > 1:
			c.Note = fmt.Sprintf("%s:%d", NoteAmbiguous, len(found))
		case c.ClaimRef != "":
			c.Note = NoteRefUnknown
		default:
			c.Note = NoteNoClaim
		}
	}
	return nil
}

func payerMatches(r *store.Remittance, m store.MatchCandidate) bool {
	return (r.PayerID != "" && m.PayerID == r.PayerID) ||
		(r.Direction == store.RemitIn && m.RoutePartner != "" && m.RoutePartner == r.PartnerID)
}

func providerMatches(r *store.Remittance, m store.MatchCandidate) bool {
	if r.PayeeNPI != "" {
		return m.BillingNPI == r.PayeeNPI
	}
	return r.PayeeTIN != "" && m.BillingTIN == r.PayeeTIN
}

// inEffect keeps the claims a payer may still pay.
func inEffect(ms []store.MatchCandidate) []store.MatchCandidate {
	var out []store.MatchCandidate
	for _, m := range ms {
		switch m.State {
		case store.ClaimReplaced, store.ClaimVoided, store.ClaimRejected, store.ClaimDuplicate:
		default:
			out = append(out, m)
		}
	}
	return out
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
