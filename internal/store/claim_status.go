package store

import (
	"context"
	"fmt"
)

// ClaimStatusKeys narrow claims for a 276 claim status inquiry
// (x12-reference §6). PartnerID keeps one partner's claims (a partner
// asking only ever sees its own; "" means every partner's, for an
// operator). At least one of ControlNumber, CLM01 and MemberID must be
// set; the others narrow further when set.
type ClaimStatusKeys struct {
	PartnerID string
	// ControlNumber is our claim control number (REF*1K).
	ControlNumber string
	// CLM01 is the patient control number (REF*EJ).
	CLM01 string
	// MemberID is the subscriber's member ID (2100D NM109).
	MemberID string
	// BillingNPI and BillingTIN keep the claims of one billing provider
	// (2100C).
	BillingNPI, BillingTIN string
	// Scope, when set, keeps the claims a portal user may read (its
	// partner and billing NPIs/TINs), in the query.
	Scope *Scope
}

// FindClaimsForStatus returns the claims matching keys, newest first, at
// most 100, with their lines. It uses the control number, (partner,
// clm01) or (partner, member_id) index.
func (q *Queries) FindClaimsForStatus(ctx context.Context, k ClaimStatusKeys) ([]Claim, error) {
	if k.ControlNumber == "" && k.CLM01 == "" && k.MemberID == "" {
		return nil, invalid("claim status keys", "", "want a control number, a clm01 or a member id")
	}
	query := `SELECT ` + claimCols + ` FROM claims WHERE 1 = 1`
	var args []any
	for _, f := range []struct{ col, v string }{
		{"partner_id", k.PartnerID}, {"control_number", k.ControlNumber}, {"clm01", k.CLM01}, {"member_id", k.MemberID},
		{"billing_npi", k.BillingNPI}, {"billing_tin", k.BillingTIN},
	} {
		if f.v != "" {
			query += ` AND ` + f.col + ` = ?`
			args = append(args, f.v)
		}
	}
	if k.Scope != nil {
		where, a := k.Scope.claimWhere("")
		query += ` AND ` + where
		args = append(args, a...)
	}
	var cs []Claim
	if err := q.selectAll(ctx, &cs, query+` ORDER BY id DESC LIMIT 100`, args...); err != nil {
		return nil, fmt.Errorf("store: find claims for status: %w", err)
	}
	for i := range cs {
		cs[i].normalize()
	}
	if len(cs) > 0 {
		if err := q.loadLines(ctx, cs); err != nil {
			return nil, fmt.Errorf("store: find claims for status: %w", err)
		}
	}
	return cs, nil
}

// Match reports whether c satisfies every key set in k (what
// FindClaimsForStatus asks the database), for claims found another way.
func (k ClaimStatusKeys) Match(c *Claim) bool {
	for _, f := range []struct{ want, have string }{
		{k.PartnerID, c.PartnerID}, {k.ControlNumber, c.ControlNumber}, {k.CLM01, c.CLM01},
		{k.MemberID, c.MemberID}, {k.BillingNPI, c.BillingNPI}, {k.BillingTIN, c.BillingTIN},
	} {
		if f.want != "" && f.want != f.have {
			return false
		}
	}
	return k.Scope == nil || k.Scope.HasClaim(c)
}
