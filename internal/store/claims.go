package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ClaimState is where a claim stands in the pipeline. The column is free
// text: stages may add states without a migration; the constants name the
// ones the store knows about.
type ClaimState string

// Known claim states.
const (
	// ClaimAccepted: passed validation, dedupe and routing.
	ClaimAccepted ClaimState = "accepted"
	// ClaimRejected: refused (277CA rejection); Reasons says why.
	ClaimRejected ClaimState = "rejected"
	// ClaimDuplicate: an exact duplicate (same Fingerprint) of an earlier
	// claim; filtered.
	ClaimDuplicate ClaimState = "duplicate"
	// ClaimSuspect: same member, provider and dates (SuspectKey) as
	// another claim but not identical; held for review.
	ClaimSuspect ClaimState = "suspect"
	// ClaimReplaced: superseded by a corrected claim (frequency 7).
	ClaimReplaced ClaimState = "replaced"
	// ClaimVoided: cancelled by a void claim (frequency 8).
	ClaimVoided ClaimState = "voided"
	// ClaimForwarded: sent on to the payer/TPA.
	ClaimForwarded ClaimState = "forwarded"
)

// ErrConflict means an insert collided with a unique key (for claims: a
// control number that is already used).
var ErrConflict = errors.New("store: unique key conflict")

// Claim is one 837 claim (CLM loop) as recorded by the pipeline. Money is
// in int64 cents. Dates are X12 text CCYYMMDD ("" when absent). Fields
// marked PHI must never be logged.
type Claim struct {
	// ID is assigned by InsertClaim.
	ID int64 `db:"id"`
	// TransactionID is the ST..SE set the claim came in, if recorded.
	TransactionID *int64 `db:"transaction_id"`
	// InboundFileID is the file the claim came in.
	InboundFileID int64 `db:"inbound_file_id"`
	// PartnerID is the submitting partner.
	PartnerID string `db:"partner_id"`
	// ControlNumber is the clearinghouse's own payer claim control number,
	// unique across all claims; it is what 277CA/835 and REF*F8 refer to.
	ControlNumber string `db:"control_number"`
	// CLM01 is the submitter's patient control number.
	CLM01 string `db:"clm01"`
	// ClaimType is "P" (837P) or "I" (837I).
	ClaimType string `db:"claim_type"`
	// Frequency is CLM05-3 (1 original, 7 replacement, 8 void).
	Frequency string `db:"frequency"`
	// RefF8 is the REF*F8 original-claim reference of a 7/8 claim.
	RefF8 string `db:"ref_f8"`
	// ReplacesClaimID links a replacement or void to the claim it acts on.
	ReplacesClaimID *int64 `db:"replaces_claim_id"`
	// State is where the claim stands.
	State ClaimState `db:"state"`
	// Reasons are ";"-separated status reasons, e.g. "A7:164:IL;A3:21"
	// (277CA category:code:entity).
	Reasons string `db:"reasons"`
	// BilledCents is CLM02 in cents.
	BilledCents int64 `db:"billed_cents"`
	// AllowedCents is the repriced amount, nil until repriced.
	AllowedCents *int64 `db:"allowed_cents"`
	// PayerID, SubmitterID, BillingNPI and BillingTIN identify the parties.
	PayerID     string `db:"payer_id"`
	SubmitterID string `db:"submitter_id"`
	BillingNPI  string `db:"billing_npi"`
	BillingTIN  string `db:"billing_tin"`
	// MemberID, PatientLast, PatientFirst and PatientDOB (CCYYMMDD) are PHI.
	MemberID     string `db:"member_id"`
	PatientLast  string `db:"patient_last"`
	PatientFirst string `db:"patient_first"`
	PatientDOB   string `db:"patient_dob"`
	// ServiceFrom and ServiceTo (CCYYMMDD) span the claim's dates of
	// service.
	ServiceFrom string `db:"service_from"`
	ServiceTo   string `db:"service_to"`
	// Fingerprint is the exact-duplicate hash (indexed).
	Fingerprint string `db:"fingerprint"`
	// SuspectKey is the member+provider+dates hash (indexed).
	SuspectKey string `db:"suspect_key"`
	// Notes are ";"-separated machine-readable notes on the outcome
	// (e.g. "f8-unknown", "duplicate"), apart from the status codes.
	Notes string `db:"notes"`
	// RelatedControl is the control number of the claim the outcome
	// refers to: the original a duplicate or suspect claim matches.
	RelatedControl string `db:"related_control"`
	// RoutePartner is the partner a forwarded claim was sent to, and
	// PricingMethod the repricing method used ("" when unpriced).
	RoutePartner  string `db:"route_partner"`
	PricingMethod string `db:"pricing_method"`
	// MemberTPA is the TPA the member is enrolled under on the roster
	// (the row eligibility matched; "" when not checked). Routes by member
	// (forward.Route.TPAPartners) decide by it.
	MemberTPA string `db:"member_tpa"`
	// RawOffset and RawLength give the byte span of the claim in the
	// spooled inbound file.
	RawOffset int64 `db:"raw_offset"`
	RawLength int64 `db:"raw_length"`
	// CreatedAt and UpdatedAt are set by the store (UTC).
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
	// Lines are the service lines, in LineNo order.
	Lines []ClaimLine `db:"-"`
}

// ClaimLine is one service line (LX loop) of a claim.
type ClaimLine struct {
	// ID is assigned by InsertClaim.
	ID int64 `db:"id"`
	// ClaimID is the owning claim, set by InsertClaim.
	ClaimID int64 `db:"claim_id"`
	// LineNo is the LX number, unique within the claim.
	LineNo int `db:"line_no"`
	// Code is the procedure code (HCPCS, ...).
	Code string `db:"code"`
	// Modifiers are the procedure modifiers joined with ":" (e.g. "GT:59").
	Modifiers string `db:"modifiers"`
	// Units is SV104/SV205 in thousandths (1.5 units = 1500).
	Units int64 `db:"units"`
	// UnitType is the unit basis (UN, MJ, DA, ...).
	UnitType string `db:"unit_type"`
	// ChargeCents is the line charge in cents.
	ChargeCents int64 `db:"charge_cents"`
	// AllowedCents is the repriced amount, nil until repriced.
	AllowedCents *int64 `db:"allowed_cents"`
	// ServiceFrom and ServiceTo (CCYYMMDD) are the line's dates.
	ServiceFrom string `db:"service_from"`
	ServiceTo   string `db:"service_to"`
	// RevenueCode is SV201 on institutional claims.
	RevenueCode string `db:"revenue_code"`
}

const claimCols = `id, transaction_id, inbound_file_id, partner_id, control_number, clm01, claim_type,
	frequency, ref_f8, replaces_claim_id, state, reasons, billed_cents, allowed_cents, payer_id,
	submitter_id, billing_npi, billing_tin, member_id, patient_last, patient_first, patient_dob,
	service_from, service_to, fingerprint, suspect_key, raw_offset, raw_length, created_at, updated_at,
	notes, related_control, route_partner, pricing_method, member_tpa`

const lineCols = `id, claim_id, line_no, code, modifiers, units, unit_type, charge_cents, allowed_cents,
	service_from, service_to, revenue_code`

// ClaimFilter selects claims for ListClaims. Zero fields do not filter.
type ClaimFilter struct {
	// State keeps claims in this state.
	State ClaimState
	// PaymentStatus keeps claims whose payment stands at this status
	// (paid, partial, denied, reversed; see ClaimPayment).
	PaymentStatus PaymentStatus
	// Suspect keeps only claims in state suspect (the review queue).
	Suspect bool
	// InboundFileID keeps the claims of one inbound file.
	InboundFileID int64
	// PartnerID keeps one partner's claims.
	PartnerID string
	// CLM01 keeps claims with this patient control number.
	CLM01 string
	// AfterID keeps claims with a larger ID (results are oldest first, so
	// this is the next page after the last ID seen).
	AfterID int64
	// Limit caps the number of claims. Default 100, at most 1000.
	Limit int
	// WithLines loads each claim's Lines too.
	WithLines bool
}

// ReasonList returns Reasons split at ";" (empty, not nil, when there
// are none).
func (c *Claim) ReasonList() []string { return splitList(c.Reasons) }

// NoteList returns Notes split at ";" (empty, not nil, when there are
// none).
func (c *Claim) NoteList() []string { return splitList(c.Notes) }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ";")
}

func (c *Claim) normalize() {
	c.CreatedAt = utc(c.CreatedAt)
	c.UpdatedAt = utc(c.UpdatedAt)
}

// checkDate accepts "" or eight digits (CCYYMMDD). The value is not echoed:
// dates of birth are PHI.
func checkDate(field, d string) error {
	if d == "" {
		return nil
	}
	if len(d) != 8 {
		return invalid(field, "", "want CCYYMMDD")
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return invalid(field, "", "want CCYYMMDD")
		}
	}
	return nil
}

func (c *Claim) validate() error {
	switch {
	case c.ControlNumber == "":
		return invalid("control number", "", "empty")
	case c.ClaimType != "P" && c.ClaimType != "I":
		return invalid("claim type", c.ClaimType, "want P or I")
	case c.State == "":
		return invalid("claim state", "", "empty")
	case c.PartnerID == "":
		return invalid("partner id", "", "empty")
	case c.InboundFileID <= 0:
		return invalid("inbound file id", fmt.Sprint(c.InboundFileID), "must be set")
	}
	for _, d := range []struct{ f, v string }{
		{"patient dob", c.PatientDOB}, {"service from", c.ServiceFrom}, {"service to", c.ServiceTo},
	} {
		if err := checkDate(d.f, d.v); err != nil {
			return err
		}
	}
	for _, l := range c.Lines {
		if l.LineNo <= 0 {
			return invalid("line number", fmt.Sprint(l.LineNo), "must be positive")
		}
		if err := checkDate("line service from", l.ServiceFrom); err != nil {
			return err
		}
		if err := checkDate("line service to", l.ServiceTo); err != nil {
			return err
		}
	}
	return nil
}

// isUniqueViolation reports whether err is a unique-constraint violation
// on either engine.
func isUniqueViolation(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr.Code == "23505"
	}
	var sqlErr *sqlite.Error
	if errors.As(err, &sqlErr) {
		return sqlErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE ||
			sqlErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// InsertClaim inserts c and its lines atomically (in the current
// transaction on a Tx), setting c.ID, the timestamps and the lines' IDs.
// A control number already in use returns ErrConflict.
func (q *Queries) InsertClaim(ctx context.Context, c *Claim) error {
	if err := c.validate(); err != nil {
		return err
	}
	now := q.now()
	err := q.atomic(ctx, func(q *Queries) error {
		var id int64
		err := q.get(ctx, &id, `INSERT INTO claims
			(transaction_id, inbound_file_id, partner_id, control_number, clm01, claim_type,
			 frequency, ref_f8, replaces_claim_id, state, reasons, billed_cents, allowed_cents, payer_id,
			 submitter_id, billing_npi, billing_tin, member_id, patient_last, patient_first, patient_dob,
			 service_from, service_to, fingerprint, suspect_key, raw_offset, raw_length, created_at, updated_at,
			 notes, related_control, member_tpa)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`,
			c.TransactionID, c.InboundFileID, c.PartnerID, c.ControlNumber, c.CLM01, c.ClaimType,
			c.Frequency, c.RefF8, c.ReplacesClaimID, c.State, c.Reasons, c.BilledCents, c.AllowedCents, c.PayerID,
			c.SubmitterID, c.BillingNPI, c.BillingTIN, c.MemberID, c.PatientLast, c.PatientFirst, c.PatientDOB,
			c.ServiceFrom, c.ServiceTo, c.Fingerprint, c.SuspectKey, c.RawOffset, c.RawLength, now, now,
			c.Notes, c.RelatedControl, c.MemberTPA)
		if err != nil {
			if isUniqueViolation(err) {
				return ErrConflict
			}
			return err
		}
		for i := range c.Lines {
			l := &c.Lines[i]
			var lineID int64
			err := q.get(ctx, &lineID, `INSERT INTO claim_lines
				(claim_id, line_no, code, modifiers, units, unit_type, charge_cents, allowed_cents,
				 service_from, service_to, revenue_code)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				id, l.LineNo, l.Code, l.Modifiers, l.Units, l.UnitType, l.ChargeCents, l.AllowedCents,
				l.ServiceFrom, l.ServiceTo, l.RevenueCode)
			if err != nil {
				if isUniqueViolation(err) {
					return fmt.Errorf("line %d: %w", l.LineNo, ErrConflict)
				}
				return fmt.Errorf("line %d: %w", l.LineNo, err)
			}
			l.ID, l.ClaimID = lineID, id
		}
		c.ID = id
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: insert claim %s: %w", c.ControlNumber, err)
	}
	c.CreatedAt, c.UpdatedAt = now, now
	return nil
}

// GetClaim returns the claim with the given ID and its lines, or
// ErrNotFound.
func (q *Queries) GetClaim(ctx context.Context, id int64) (*Claim, error) {
	c, err := q.oneClaim(ctx, `id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("store: get claim %d: %w", id, err)
	}
	return c, nil
}

// GetClaimByControl returns the claim with our control number and its
// lines, or ErrNotFound.
func (q *Queries) GetClaimByControl(ctx context.Context, control string) (*Claim, error) {
	c, err := q.oneClaim(ctx, `control_number = ?`, control)
	if err != nil {
		return nil, fmt.Errorf("store: get claim by control %s: %w", control, err)
	}
	return c, nil
}

// FindByFingerprint returns the most recent claim with this exact-duplicate
// fingerprint that is not itself rejected or a duplicate (so it is the
// original a new claim would duplicate), with its lines, or ErrNotFound.
// The dedupe stage applies its lookback window to the returned CreatedAt.
func (q *Queries) FindByFingerprint(ctx context.Context, fp string) (*Claim, error) {
	if fp == "" {
		return nil, invalid("fingerprint", "", "empty")
	}
	c, err := q.oneClaim(ctx, `fingerprint = ? AND state NOT IN ('rejected', 'duplicate')
		ORDER BY id DESC LIMIT 1`, fp)
	if err != nil {
		return nil, fmt.Errorf("store: find by fingerprint: %w", err)
	}
	return c, nil
}

// FindBySuspectKey returns the claims sharing this member+provider+dates
// key that are not rejected or duplicates, newest first, at most 100, with
// their lines (read in one more query, not one per claim). An empty result
// is not an error.
func (q *Queries) FindBySuspectKey(ctx context.Context, key string) ([]Claim, error) {
	if key == "" {
		return nil, invalid("suspect key", "", "empty")
	}
	var cs []Claim
	err := q.selectAll(ctx, &cs, `SELECT `+claimCols+` FROM claims
		WHERE suspect_key = ? AND state NOT IN ('rejected', 'duplicate')
		ORDER BY id DESC LIMIT 100`, key)
	if err != nil {
		return nil, fmt.Errorf("store: find by suspect key: %w", err)
	}
	if len(cs) == 0 {
		return cs, nil
	}
	for i := range cs {
		cs[i].normalize()
	}
	if err := q.loadLines(ctx, cs); err != nil {
		return nil, fmt.Errorf("store: find by suspect key: %w", err)
	}
	return cs, nil
}

// FindByCLM01 returns a partner's claims (without lines) with this patient
// control number, newest first, at most 100; corrected and void claims
// that lack a usable REF*F8 are routed with it.
func (q *Queries) FindByCLM01(ctx context.Context, partnerID, clm01 string) ([]Claim, error) {
	var cs []Claim
	err := q.selectAll(ctx, &cs, `SELECT `+claimCols+` FROM claims
		WHERE partner_id = ? AND clm01 = ? ORDER BY id DESC LIMIT 100`, partnerID, clm01)
	if err != nil {
		return nil, fmt.Errorf("store: find by clm01: %w", err)
	}
	for i := range cs {
		cs[i].normalize()
	}
	return cs, nil
}

// stateIs is the condition "the claim is in state st", taking st as its
// parameter. On PostgreSQL a state other than accepted and forwarded is
// read from sparse_state (migration 020), which the indexes by state
// cover; the two dense states, nearly every claim, are read from state.
func (q *Queries) stateIs(st ClaimState) string {
	if q.dialect == DialectPostgres && st != ClaimAccepted && st != ClaimForwarded {
		return `sparse_state = ?`
	}
	return `state = ?`
}

// ListClaims returns the claims matching f, oldest first; lines only with
// f.WithLines.
func (q *Queries) ListClaims(ctx context.Context, f ClaimFilter) ([]Claim, error) {
	query := `SELECT ` + claimCols + ` FROM claims WHERE 1 = 1`
	var args []any
	if f.State != "" {
		query += ` AND ` + q.stateIs(f.State)
		args = append(args, f.State)
	}
	if f.PaymentStatus != "" {
		query += ` AND id IN (SELECT claim_id FROM claim_payments WHERE status = ?)`
		args = append(args, f.PaymentStatus)
	}
	if f.Suspect {
		query += ` AND ` + q.stateIs(ClaimSuspect)
		args = append(args, ClaimSuspect)
	}
	if f.InboundFileID > 0 {
		query += ` AND inbound_file_id = ?`
		args = append(args, f.InboundFileID)
	}
	if f.PartnerID != "" {
		query += ` AND partner_id = ?`
		args = append(args, f.PartnerID)
	}
	if f.CLM01 != "" {
		query += ` AND clm01 = ?`
		args = append(args, f.CLM01)
	}
	if f.AfterID > 0 {
		query += ` AND id > ?`
		args = append(args, f.AfterID)
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, limit(f.Limit))
	var cs []Claim
	if err := q.selectAll(ctx, &cs, query, args...); err != nil {
		return nil, fmt.Errorf("store: list claims: %w", err)
	}
	for i := range cs {
		cs[i].normalize()
	}
	if f.WithLines && len(cs) > 0 {
		if err := q.loadLines(ctx, cs); err != nil {
			return nil, fmt.Errorf("store: list claims: %w", err)
		}
	}
	return cs, nil
}

// UpdateClaimState sets a claim's state and reasons (replacing the old
// reasons) and bumps UpdatedAt.
func (q *Queries) UpdateClaimState(ctx context.Context, id int64, state ClaimState, reasons string) error {
	if state == "" {
		return invalid("claim state", "", "empty")
	}
	n, err := q.exec(ctx, `UPDATE claims SET state = ?, reasons = ?, updated_at = ? WHERE id = ?`,
		state, reasons, q.now(), id)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: update claim %d state: %w", id, err)
	}
	return nil
}

// SetAllowed records repricing: the claim's allowed amount and, by line
// number, its lines' allowed amounts, atomically. An unknown claim or line
// number returns ErrNotFound and changes nothing.
func (q *Queries) SetAllowed(ctx context.Context, claimID, allowedCents int64, lineAllowed map[int]int64) error {
	err := q.atomic(ctx, func(q *Queries) error {
		n, err := q.exec(ctx, `UPDATE claims SET allowed_cents = ?, updated_at = ? WHERE id = ?`,
			allowedCents, q.now(), claimID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		for lineNo, cents := range lineAllowed {
			n, err := q.exec(ctx, `UPDATE claim_lines SET allowed_cents = ? WHERE claim_id = ? AND line_no = ?`,
				cents, claimID, lineNo)
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("line %d: %w", lineNo, ErrNotFound)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: set allowed of claim %d: %w", claimID, err)
	}
	return nil
}

// oneClaim loads the first claim matching where (with its lines).
func (q *Queries) oneClaim(ctx context.Context, where string, args ...any) (*Claim, error) {
	cs, err := q.selectClaims(ctx, `SELECT `+q.scanClaimCols()+` FROM claims WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, ErrNotFound
	}
	cs = cs[:1]
	if err := q.loadLines(ctx, cs); err != nil {
		return nil, err
	}
	return &cs[0], nil
}

// loadLines fills the Lines of every claim in cs with one query.
func (q *Queries) loadLines(ctx context.Context, cs []Claim) error {
	ids := make([]int64, len(cs))
	byID := make(map[int64]*Claim, len(cs))
	for i := range cs {
		ids[i] = cs[i].ID
		byID[cs[i].ID] = &cs[i]
		cs[i].Lines = []ClaimLine{}
	}
	var query string
	var args []any
	if q.dialect == DialectPostgres {
		// One probe of (claim_id, line_no) per claim, whatever the
		// statistics: an IN list is a statement per length, each planned
		// once and cached; planned while the table was small, it read the
		// whole table for every call later (issue #11: 10–27 ms a set at
		// 1 M claims, growing). The LIMIT keeps the subquery a
		// per-claim index scan (a claim has at most 50 lines, 999 for an
		// institutional claim).
		query, args = `SELECT l.* FROM unnest(CAST(? AS bigint[])) AS k(id)
			CROSS JOIN LATERAL (SELECT `+lineCols+` FROM claim_lines WHERE claim_id = k.id ORDER BY line_no LIMIT 10000) l
			ORDER BY l.claim_id, l.line_no`, []any{pq.Array(ids)}
	} else {
		return q.loadLinesSQLite(ctx, byID, ids)
	}
	// Scanned by hand (as selectAll would scan them, without a reflected
	// value per row).
	var lines []ClaimLine
	err := q.scanRows(ctx, func(rows *sql.Rows) error {
		lines = append(lines, ClaimLine{})
		l := &lines[len(lines)-1]
		return rows.Scan(&l.ID, &l.ClaimID, &l.LineNo, &l.Code, &l.Modifiers, &l.Units, &l.UnitType, &l.ChargeCents,
			&l.AllowedCents, &l.ServiceFrom, &l.ServiceTo, &l.RevenueCode)
	}, query, args...)
	if err != nil {
		return fmt.Errorf("load lines: %w", err)
	}
	attachLines(byID, lines)
	return nil
}
