package store

import (
	"context"
	"database/sql"
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
