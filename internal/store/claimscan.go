package store

import (
	"context"
	"database/sql"
	"fmt"
)

// sqliteClaimCols are claimCols with the timestamps read as text (see
// textTime).
const sqliteClaimCols = `id, transaction_id, inbound_file_id, partner_id, control_number, clm01, claim_type,
	frequency, ref_f8, replaces_claim_id, state, reasons, billed_cents, allowed_cents, payer_id,
	submitter_id, billing_npi, billing_tin, member_id, patient_last, patient_first, patient_dob,
	service_from, service_to, fingerprint, suspect_key, raw_offset, raw_length, +created_at, +updated_at,
	notes, related_control, route_partner, pricing_method, member_tpa`

// scanClaimCols are the claim columns selectClaims reads on q's dialect.
func (q *Queries) scanClaimCols() string {
	if q.dialect == DialectPostgres {
		return claimCols
	}
	return sqliteClaimCols
}

// selectClaims runs a query whose columns are scanClaimCols and returns
// its claims (normalized, without lines). The rows are scanned by hand,
// as selectAll would scan them but without a reflected value per row, and
// the SQLite timestamps from their text (textTime).
func (q *Queries) selectClaims(ctx context.Context, query string, args ...any) ([]Claim, error) {
	var cs []Claim
	err := q.scanRows(ctx, func(rows *sql.Rows) error {
		cs = append(cs, Claim{})
		c := &cs[len(cs)-1]
		return rows.Scan(&c.ID, &c.TransactionID, &c.InboundFileID, &c.PartnerID, &c.ControlNumber, &c.CLM01, &c.ClaimType,
			&c.Frequency, &c.RefF8, &c.ReplacesClaimID, &c.State, &c.Reasons, &c.BilledCents, &c.AllowedCents, &c.PayerID,
			&c.SubmitterID, &c.BillingNPI, &c.BillingTIN, &c.MemberID, &c.PatientLast, &c.PatientFirst, &c.PatientDOB,
			&c.ServiceFrom, &c.ServiceTo, &c.Fingerprint, &c.SuspectKey, &c.RawOffset, &c.RawLength,
			textTime{&c.CreatedAt}, textTime{&c.UpdatedAt},
			&c.Notes, &c.RelatedControl, &c.RoutePartner, &c.PricingMethod, &c.MemberTPA)
	}, query, args...)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		cs[i].normalize()
	}
	return cs, nil
}

// sqliteClaimJSONCols are the columns selectClaimsJSON reads, in
// readClaimJSON's order: the columns of sqliteClaimCols, the timestamps as
// their text.
const sqliteClaimJSONCols = `id, transaction_id, inbound_file_id, partner_id, control_number, clm01, claim_type,
	frequency, ref_f8, replaces_claim_id, state, reasons, billed_cents, allowed_cents, payer_id,
	submitter_id, billing_npi, billing_tin, member_id, patient_last, patient_first, patient_dob,
	service_from, service_to, fingerprint, suspect_key, raw_offset, raw_length, created_at, updated_at,
	notes, related_control, route_partner, pricing_method, member_tpa`

// sqliteClaimsJSON is a SQLite query of the claims that match where (a
// condition on claims) as one JSON value for selectClaimsJSON, in the
// order of orderBy ("" for any order).
func sqliteClaimsJSON(where, orderBy string) string {
	if orderBy != "" {
		orderBy = " ORDER BY " + orderBy
	}
	return `SELECT json_group_array(json_array(` + sqliteClaimJSONCols + `)` + orderBy + `) FROM claims WHERE ` + where
}

// selectClaimsJSON is selectClaims on SQLite for a query made by
// sqliteClaimsJSON: the claims come as one JSON value (queryJSONRows), so
// their text values share its memory; keep them as long as a set's
// lookups, not longer.
func (q *Queries) selectClaimsJSON(ctx context.Context, query string, args ...any) ([]Claim, error) {
	var cs []Claim
	var ints intBlock
	err := q.queryJSONRows(ctx, func(r *jsonRows) error {
		cs = append(cs, Claim{})
		c := &cs[len(cs)-1]
		c.ID, c.TransactionID, c.InboundFileID, c.PartnerID = r.int(), ints.opt(r), r.int(), r.str()
		c.ControlNumber, c.CLM01, c.ClaimType, c.Frequency, c.RefF8 = r.str(), r.str(), r.str(), r.str(), r.str()
		c.ReplacesClaimID, c.State, c.Reasons = ints.opt(r), ClaimState(r.str()), r.str()
		c.BilledCents, c.AllowedCents = r.int(), ints.opt(r)
		c.PayerID, c.SubmitterID, c.BillingNPI, c.BillingTIN = r.str(), r.str(), r.str(), r.str()
		c.MemberID, c.PatientLast, c.PatientFirst, c.PatientDOB = r.str(), r.str(), r.str(), r.str()
		c.ServiceFrom, c.ServiceTo, c.Fingerprint, c.SuspectKey = r.str(), r.str(), r.str(), r.str()
		c.RawOffset, c.RawLength, c.CreatedAt, c.UpdatedAt = r.int(), r.int(), r.time(), r.time()
		c.Notes, c.RelatedControl, c.RoutePartner, c.PricingMethod, c.MemberTPA = r.str(), r.str(), r.str(), r.str(), r.str()
		return nil
	}, query, args...)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		cs[i].normalize()
	}
	return cs, nil
}

// intBlock hands out pointers to integers from shared blocks (an
// optional integer of a row read from JSON, without an allocation each).
type intBlock []int64

// opt reads an optional integer: nil for NULL, else a pointer into the
// block.
func (b *intBlock) opt(r *jsonRows) *int64 {
	n, null := r.optInt()
	if null || r.err != nil {
		return nil
	}
	if len(*b) == cap(*b) {
		*b = make([]int64, 0, 64)
	}
	*b = append(*b, n)
	return &(*b)[len(*b)-1]
}

// loadLinesSQLite is loadLines on SQLite: the lines of the claims in byID
// (ids, their IDs) as one JSON value (queryJSONRows), the IDs as one JSON
// array argument.
func (q *Queries) loadLinesSQLite(ctx context.Context, byID map[int64]*Claim, ids []int64) error {
	var lines []ClaimLine
	var ints intBlock
	err := q.queryJSONRows(ctx, func(r *jsonRows) error {
		lines = append(lines, ClaimLine{})
		l := &lines[len(lines)-1]
		l.ID, l.ClaimID, l.LineNo, l.Code, l.Modifiers = r.int(), r.int(), int(r.int()), r.str(), r.str()
		l.Units, l.UnitType, l.ChargeCents, l.AllowedCents = r.int(), r.str(), r.int(), ints.opt(r)
		l.ServiceFrom, l.ServiceTo, l.RevenueCode = r.str(), r.str(), r.str()
		return nil
	}, `SELECT json_group_array(json_array(`+lineCols+`) ORDER BY claim_id, line_no) FROM claim_lines
		WHERE claim_id IN `+sqliteInJSON, jsonInts(ids))
	if err != nil {
		return fmt.Errorf("load lines: %w", err)
	}
	attachLines(byID, lines)
	return nil
}
