package store

import (
	"context"
	"fmt"
	"strings"
)

// remitWhere returns the SQL condition (on the remittances table aliased
// prefix) of the remittances s may read: its own (remitOwnWhere) and
// those paying a claim s may read.
func (s Scope) remitWhere(prefix string) (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	own, args := s.remitOwnWhere(prefix)
	cw, cargs := s.claimWhere("sc.")
	paid := `EXISTS (SELECT 1 FROM remit_claims src JOIN claims sc ON sc.id = src.claim_id
		WHERE src.remittance_id = ` + prefix + `id AND ` + cw + `)`
	return "(" + own + " OR " + paid + ")", append(args, cargs...)
}

// remitOwnWhere is the condition of the remittances forwarded (or,
// emitted, sent) to the scope's partner — for an NPI/TIN-scoped user only
// when the payee is one of its NPIs or TINs.
func (s Scope) remitOwnWhere(prefix string) (string, []any) {
	if s.All {
		return "1 = 1", nil
	}
	if s.PartnerID == "" {
		return "1 = 0", nil
	}
	own := "(" + prefix + "forward_partner = ? OR (" + prefix + "direction = 'out' AND " + prefix + "partner_id = ?))"
	args := []any{s.PartnerID, s.PartnerID}
	var ors []string
	if len(s.NPIs) > 0 {
		in, a := inArgs(s.NPIs)
		ors = append(ors, prefix+"payee_npi IN ("+in+")")
		args = append(args, a...)
	}
	if len(s.TINs) > 0 {
		in, a := inArgs(s.TINs)
		ors = append(ors, prefix+"payee_tin IN ("+in+")")
		args = append(args, a...)
	}
	if len(ors) > 0 {
		own = "(" + own + " AND (" + strings.Join(ors, " OR ") + "))"
	}
	return own, args
}

// ListRemittancesScoped returns the remittances scope may read (without
// claims), newest first, beforeID > 0 keeping those with a smaller ID.
func (q *Queries) ListRemittancesScoped(ctx context.Context, scope Scope, beforeID int64, n int) ([]Remittance, error) {
	where, args := scope.remitWhere("remittances.")
	query := `SELECT ` + remittanceCols + ` FROM remittances WHERE ` + where
	if beforeID > 0 {
		query += ` AND id < ?`
		args = append(args, beforeID)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit(n))
	var rs []Remittance
	if err := q.selectAll(ctx, &rs, query, args...); err != nil {
		return nil, fmt.Errorf("store: list remittances: %w", err)
	}
	for i := range rs {
		rs[i].normalize()
	}
	return rs, nil
}

// GetRemittanceScoped returns a remittance scope may read with the claim
// payments of it scope may read (all of them when the remittance was
// forwarded to the scope's partner; else those paying its claims), or
// ErrNotFound.
func (q *Queries) GetRemittanceScoped(ctx context.Context, scope Scope, id int64) (*Remittance, error) {
	where, args := scope.remitWhere("remittances.")
	var r Remittance
	if err := q.get(ctx, &r, `SELECT `+remittanceCols+` FROM remittances WHERE id = ? AND `+where, append([]any{id}, args...)...); err != nil {
		return nil, fmt.Errorf("store: get remittance %d: %w", id, err)
	}
	r.normalize()
	query := `SELECT ` + remitClaimCols + ` FROM remit_claims WHERE remittance_id = ?`
	cargs := []any{id}
	if !scope.All {
		// The whole remittance when it was forwarded to the scope's
		// partner (the NPI/TIN condition included); else only the claim
		// payments of the scope's claims.
		fw, fargs := scope.remitOwnWhere("r.")
		cw, ca := scope.claimWhere("c.")
		query += ` AND (EXISTS (SELECT 1 FROM remittances r WHERE r.id = remit_claims.remittance_id AND ` + fw + `)
			OR EXISTS (SELECT 1 FROM claims c WHERE c.id = remit_claims.claim_id AND ` + cw + `))`
		cargs = append(append(cargs, fargs...), ca...)
	}
	query += ` ORDER BY id`
	if err := q.selectAll(ctx, &r.Claims, query, cargs...); err != nil {
		return nil, fmt.Errorf("store: get remittance %d: %w", id, err)
	}
	for i := range r.Claims {
		r.Claims[i].CreatedAt = utc(r.Claims[i].CreatedAt)
	}
	return &r, nil
}

// GetOutboundScoped returns an outbound file of the scope's partner (any,
// for an unrestricted scope), or ErrNotFound.
func (q *Queries) GetOutboundScoped(ctx context.Context, scope Scope, id int64) (*OutboundFile, error) {
	where, args := scope.fileWhere()
	var f OutboundFile
	if err := q.get(ctx, &f, `SELECT `+outboundCols+` FROM outbound_files WHERE id = ? AND `+where, append([]any{id}, args...)...); err != nil {
		return nil, fmt.Errorf("store: get outbound %d: %w", id, err)
	}
	f.normalize()
	return &f, nil
}

// ListAttributedMembers returns the roster members attributed to scope,
// by ID after afterID, at most n: a member is attributed to a partner
// when a claim of the partner (of the scope's NPIs/TINs, when set) names
// its member ID. The roster itself has no provider attribution.
func (q *Queries) ListAttributedMembers(ctx context.Context, scope Scope, afterID int64, n int) ([]Member, error) {
	cw, args := scope.claimWhere("ac.")
	query := `SELECT ` + memberCols + ` FROM members WHERE id > ? AND EXISTS (SELECT 1 FROM claims ac
		WHERE ac.member_id = members.member_id AND ` + cw + `) ORDER BY id LIMIT ?`
	var ms []Member
	if err := q.selectAll(ctx, &ms, query, append(append([]any{afterID}, args...), limit(n))...); err != nil {
		return nil, fmt.Errorf("store: attributed members: %w", err)
	}
	for i := range ms {
		ms[i].normalize()
	}
	return ms, nil
}
