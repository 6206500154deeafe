package store

import (
	"context"
	"fmt"
	"time"
)

// KindReport is the outbound kind of a nightly file-status report.
const KindReport = "report"

// CSV submission layouts.
const (
	LayoutClaims  = "claims"
	LayoutResults = "results"
)

// CSVSubmission is one processed CSV inbound file (see docs/csv.md).
type CSVSubmission struct {
	ID            int64     `db:"id" json:"id"`
	InboundFileID int64     `db:"inbound_file_id" json:"inbound_file_id"`
	PartnerID     string    `db:"partner_id" json:"partner_id"`
	Layout        string    `db:"layout" json:"layout"`
	DerivedFileID *int64    `db:"derived_file_id" json:"derived_file_id,omitempty"`
	Rows          int       `db:"rows_total" json:"rows"`
	RowsAccepted  int       `db:"rows_accepted" json:"rows_accepted"`
	RowsRejected  int       `db:"rows_rejected" json:"rows_rejected"`
	Claims        int       `db:"claims" json:"claims"`
	ReceivedAt    time.Time `db:"received_at" json:"received_at"`
	ProcessedAt   time.Time `db:"processed_at" json:"processed_at"`
	// Name is the inbound file's name (read with the submission).
	Name string `db:"name" json:"name"`
}

func (s *CSVSubmission) normalize() {
	s.ReceivedAt = utc(s.ReceivedAt)
	s.ProcessedAt = utc(s.ProcessedAt)
}

// CSVRowError is one error of a rejected CSV row: the 1-based row number
// (the header row, when present, is row 1), the column name ("" for the
// whole row), a machine-readable code and a text. Texts never carry the
// row's values (PHI).
type CSVRowError struct {
	Row    int    `db:"row_no" json:"row"`
	Seq    int    `db:"seq" json:"-"`
	Column string `db:"col" json:"column"`
	Code   string `db:"code" json:"code"`
	Reason string `db:"reason" json:"reason"`
}

const csvSubmissionCols = `s.id, s.inbound_file_id, s.partner_id, s.layout, s.derived_file_id, s.rows_total,
	s.rows_accepted, s.rows_rejected, s.claims, s.received_at, s.processed_at, f.name`

// StartCSVSubmission records the submission of an inbound CSV file,
// replacing (with its rejected rows, claim rows and clinical results) the
// one an earlier run of the same file recorded: a reprocess starts over.
// Counts are set by FinishCSVSubmission.
func (q *Queries) StartCSVSubmission(ctx context.Context, s *CSVSubmission) error {
	if s.Layout != LayoutClaims && s.Layout != LayoutResults {
		return invalid("layout", s.Layout, "want claims or results")
	}
	now := q.now()
	return q.atomic(ctx, func(q *Queries) error {
		for _, stmt := range []string{
			`DELETE FROM csv_row_errors WHERE submission_id IN (SELECT id FROM csv_submissions WHERE inbound_file_id = ?)`,
			`DELETE FROM csv_claims WHERE submission_id IN (SELECT id FROM csv_submissions WHERE inbound_file_id = ?)`,
			`DELETE FROM clinical_results WHERE submission_id IN (SELECT id FROM csv_submissions WHERE inbound_file_id = ?)`,
			`DELETE FROM csv_submissions WHERE inbound_file_id = ?`,
		} {
			if _, err := q.exec(ctx, stmt, s.InboundFileID); err != nil {
				return fmt.Errorf("store: reset csv submission of file %d: %w", s.InboundFileID, err)
			}
		}
		s.ProcessedAt = now
		s.ReceivedAt = s.ReceivedAt.UTC().Truncate(time.Microsecond)
		if err := q.get(ctx, &s.ID, `INSERT INTO csv_submissions
			(inbound_file_id, partner_id, layout, received_at, processed_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`,
			s.InboundFileID, s.PartnerID, s.Layout, s.ReceivedAt, now); err != nil {
			return fmt.Errorf("store: insert csv submission of file %d: %w", s.InboundFileID, err)
		}
		return nil
	})
}

// FinishCSVSubmission records the counts and the derived 837 file of a
// submission started with StartCSVSubmission.
func (q *Queries) FinishCSVSubmission(ctx context.Context, s *CSVSubmission) error {
	_, err := q.exec(ctx, `UPDATE csv_submissions SET derived_file_id = ?, rows_total = ?, rows_accepted = ?,
		rows_rejected = ?, claims = ? WHERE id = ?`,
		s.DerivedFileID, s.Rows, s.RowsAccepted, s.RowsRejected, s.Claims, s.ID)
	if err != nil {
		return fmt.Errorf("store: finish csv submission %d: %w", s.ID, err)
	}
	return nil
}

// AddCSVRowErrors records errors of rejected rows of a submission; Seq
// numbers the errors of one row in order.
func (q *Queries) AddCSVRowErrors(ctx context.Context, submissionID int64, errs []CSVRowError) error {
	for _, e := range errs {
		if _, err := q.exec(ctx, `INSERT INTO csv_row_errors (submission_id, row_no, seq, col, code, reason)
			VALUES (?, ?, ?, ?, ?, ?)`, submissionID, e.Row, e.Seq, e.Column, e.Code, e.Reason); err != nil {
			return fmt.Errorf("store: csv row error %d of submission %d: %w", e.Row, submissionID, err)
		}
	}
	return nil
}

// AddCSVClaim records that the claim with key came from rows first..last
// of a submission. A key already recorded for the submission (a claim
// whose rows are not contiguous) is ErrConflict.
func (q *Queries) AddCSVClaim(ctx context.Context, submissionID int64, key string, first, last int) error {
	n, err := q.exec(ctx, `INSERT INTO csv_claims (submission_id, claim_key, first_row, last_row)
		VALUES (?, ?, ?, ?) ON CONFLICT (submission_id, claim_key) DO NOTHING`, submissionID, key, first, last)
	if err != nil {
		return fmt.Errorf("store: csv claim of submission %d: %w", submissionID, err)
	}
	if n == 0 {
		return ErrConflict
	}
	return nil
}

// CSVSubmissionOfFile returns the submission recorded for an inbound CSV
// file, or ErrNotFound.
func (q *Queries) CSVSubmissionOfFile(ctx context.Context, inboundFileID int64) (*CSVSubmission, error) {
	var s CSVSubmission
	if err := q.get(ctx, &s, `SELECT `+csvSubmissionCols+` FROM csv_submissions s
		JOIN inbound_files f ON f.id = s.inbound_file_id WHERE s.inbound_file_id = ?`, inboundFileID); err != nil {
		return nil, fmt.Errorf("store: csv submission of file %d: %w", inboundFileID, err)
	}
	s.normalize()
	return &s, nil
}

// IsDerivedFile reports whether an inbound file is the 837 converted from
// a CSV submission.
func (q *Queries) IsDerivedFile(ctx context.Context, inboundFileID int64) (bool, error) {
	var n int
	if err := q.get(ctx, &n, `SELECT COUNT(*) FROM csv_submissions WHERE derived_file_id = ?`, inboundFileID); err != nil {
		return false, fmt.Errorf("store: derived file %d: %w", inboundFileID, err)
	}
	return n > 0, nil
}

// CSVSubmissionsReceived returns the submissions whose inbound file was
// received in [from, to), in arrival order.
//
// partner, when not empty, keeps that partner's submissions only.
func (q *Queries) CSVSubmissionsReceived(ctx context.Context, from, to time.Time, partner string) ([]CSVSubmission, error) {
	var ss []CSVSubmission
	if err := q.selectAll(ctx, &ss, `SELECT `+csvSubmissionCols+` FROM csv_submissions s
		JOIN inbound_files f ON f.id = s.inbound_file_id
		WHERE s.received_at >= ? AND s.received_at < ? AND (? = '' OR f.partner_id = ?) ORDER BY s.received_at, s.id`,
		from.UTC(), to.UTC(), partner, partner); err != nil {
		return nil, fmt.Errorf("store: csv submissions: %w", err)
	}
	for i := range ss {
		ss[i].normalize()
	}
	return ss, nil
}

// CSVRowErrors returns the errors of a submission's rejected rows with a
// row number above afterRow, in row order, at most limit rows' worth
// (every error of a returned row is included).
func (q *Queries) CSVRowErrors(ctx context.Context, submissionID int64, afterRow, limit int) ([]CSVRowError, error) {
	var es []CSVRowError
	if err := q.selectAll(ctx, &es, `SELECT row_no, seq, col, code, reason FROM csv_row_errors
		WHERE submission_id = ? AND row_no > ? AND row_no <= (
			SELECT COALESCE(MAX(row_no), 0) FROM (SELECT DISTINCT row_no FROM csv_row_errors
				WHERE submission_id = ? AND row_no > ? ORDER BY row_no LIMIT ?) r)
		ORDER BY row_no, seq`, submissionID, afterRow, submissionID, afterRow, limit); err != nil {
		return nil, fmt.Errorf("store: csv row errors of submission %d: %w", submissionID, err)
	}
	return es, nil
}

// CSVRejectedClaim is a converted claim that the 837 pipeline did not
// accept (rejected or duplicate), with the CSV rows it came from.
type CSVRejectedClaim struct {
	Key      string     `db:"claim_key"`
	FirstRow int        `db:"first_row"`
	LastRow  int        `db:"last_row"`
	State    ClaimState `db:"state"`
	Reasons  string     `db:"reasons"`
}

// CSVRejectedClaims returns the claims of a submission's derived 837 that
// were rejected or found duplicate, by first row.
func (q *Queries) CSVRejectedClaims(ctx context.Context, submissionID int64) ([]CSVRejectedClaim, error) {
	var rs []CSVRejectedClaim
	if err := q.selectAll(ctx, &rs, `SELECT k.claim_key, k.first_row, k.last_row, c.state, c.reasons
		FROM csv_submissions s
		JOIN csv_claims k ON k.submission_id = s.id
		JOIN claims c ON c.inbound_file_id = s.derived_file_id AND c.clm01 = k.claim_key
		WHERE s.id = ? AND c.state IN ('rejected', 'duplicate')
		ORDER BY k.first_row`, submissionID); err != nil {
		return nil, fmt.Errorf("store: rejected csv claims of submission %d: %w", submissionID, err)
	}
	return rs, nil
}

// ClinicalResult is one accepted supplemental data row. Every field but
// the IDs, the code system and the code is PHI.
type ClinicalResult struct {
	ID           int64     `db:"id" json:"id"`
	SubmissionID int64     `db:"submission_id" json:"submission_id"`
	PartnerID    string    `db:"partner_id" json:"partner_id"`
	Row          int       `db:"row_no" json:"row"`
	MemberID     string    `db:"member_id" json:"member_id"`
	LastName     string    `db:"last_name" json:"last_name"`
	FirstName    string    `db:"first_name" json:"first_name"`
	DOB          string    `db:"dob" json:"dob"`                   // CCYYMMDD
	ServiceDate  string    `db:"service_date" json:"service_date"` // CCYYMMDD
	CodeSystem   string    `db:"code_system" json:"code_system"`
	Code         string    `db:"code" json:"code"`
	Value        string    `db:"value" json:"value"`
	Unit         string    `db:"unit" json:"unit"`
	RenderingNPI string    `db:"rendering_npi" json:"rendering_npi"`
	MemberTPA    string    `db:"member_tpa" json:"member_tpa"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
}

// AddClinicalResult stores an accepted supplemental data row.
func (q *Queries) AddClinicalResult(ctx context.Context, r *ClinicalResult) error {
	r.CreatedAt = q.now()
	if err := q.get(ctx, &r.ID, `INSERT INTO clinical_results (submission_id, partner_id, row_no, member_id,
		last_name, first_name, dob, service_date, code_system, code, value, unit, rendering_npi, member_tpa, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.SubmissionID, r.PartnerID, r.Row, r.MemberID, r.LastName, r.FirstName, r.DOB, r.ServiceDate,
		r.CodeSystem, r.Code, r.Value, r.Unit, r.RenderingNPI, r.MemberTPA, r.CreatedAt); err != nil {
		return fmt.Errorf("store: clinical result row %d of submission %d: %w", r.Row, r.SubmissionID, err)
	}
	return nil
}

// ClinicalResultFilter selects clinical results by service date
// (CCYYMMDD, inclusive; "" does not bound) and partner, one page after
// AfterID.
type ClinicalResultFilter struct {
	From, To  string
	PartnerID string
	AfterID   int64
	Limit     int
}

// ListClinicalResults returns clinical results in ID order.
func (q *Queries) ListClinicalResults(ctx context.Context, f ClinicalResultFilter) ([]ClinicalResult, error) {
	query := `SELECT id, submission_id, partner_id, row_no, member_id, last_name, first_name, dob, service_date,
		code_system, code, value, unit, rendering_npi, member_tpa, created_at FROM clinical_results WHERE id > ?`
	args := []any{f.AfterID}
	if f.From != "" {
		query += ` AND service_date >= ?`
		args = append(args, f.From)
	}
	if f.To != "" {
		query += ` AND service_date <= ?`
		args = append(args, f.To)
	}
	if f.PartnerID != "" {
		query += ` AND partner_id = ?`
		args = append(args, f.PartnerID)
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, limit(f.Limit))
	var rs []ClinicalResult
	if err := q.selectAll(ctx, &rs, query, args...); err != nil {
		return nil, fmt.Errorf("store: clinical results: %w", err)
	}
	for i := range rs {
		rs[i].CreatedAt = utc(rs[i].CreatedAt)
	}
	return rs, nil
}

// ReportDay is one submitter's totals in one nightly report, kept for the
// trend alert.
type ReportDay struct {
	Day          string `db:"day"` // YYYY-MM-DD
	PartnerID    string `db:"partner_id"`
	Files        int    `db:"files"`
	Rows         int    `db:"rows_total"`
	RowsRejected int    `db:"rows_rejected"`
	Flagged      bool   `db:"flagged"`
}

// PutReportDay records (or, for a regenerated day, replaces) a
// submitter's totals of one night.
func (q *Queries) PutReportDay(ctx context.Context, d ReportDay) error {
	_, err := q.exec(ctx, `INSERT INTO report_days (day, partner_id, files, rows_total, rows_rejected, flagged, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (partner_id, day) DO UPDATE SET files = excluded.files, rows_total = excluded.rows_total,
			rows_rejected = excluded.rows_rejected, flagged = excluded.flagged`,
		d.Day, d.PartnerID, d.Files, d.Rows, d.RowsRejected, d.Flagged, q.now())
	if err != nil {
		return fmt.Errorf("store: report day %s of %s: %w", d.Day, d.PartnerID, err)
	}
	return nil
}

// ReportDaysBefore returns a submitter's recorded nights before day
// (YYYY-MM-DD), newest first, at most n.
func (q *Queries) ReportDaysBefore(ctx context.Context, partnerID, day string, n int) ([]ReportDay, error) {
	var ds []ReportDay
	if err := q.selectAll(ctx, &ds, `SELECT day, partner_id, files, rows_total, rows_rejected, flagged
		FROM report_days WHERE partner_id = ? AND day < ? ORDER BY day DESC LIMIT ?`, partnerID, day, n); err != nil {
		return nil, fmt.Errorf("store: report days of %s: %w", partnerID, err)
	}
	return ds, nil
}

// InboundReceived returns the inbound files of every partner received in
// [from, to), in ID order, one page after afterID.
//
// partner, when not empty, keeps that partner's files only.
func (q *Queries) InboundReceived(ctx context.Context, from, to time.Time, partner string, afterID int64, limitN int) ([]InboundFile, error) {
	var fs []InboundFile
	if err := q.selectAll(ctx, &fs, `SELECT `+inboundCols+` FROM inbound_files
		WHERE received_at >= ? AND received_at < ? AND (? = '' OR partner_id = ?) AND id > ? ORDER BY id LIMIT ?`,
		from.UTC(), to.UTC(), partner, partner, afterID, limit(limitN)); err != nil {
		return nil, fmt.Errorf("store: inbound received: %w", err)
	}
	for i := range fs {
		fs[i].normalize()
	}
	return fs, nil
}

// ReasonCount is how many claims of a file were refused with one set of
// reasons.
type ReasonCount struct {
	State   ClaimState `db:"state"`
	Reasons string     `db:"reasons"`
	Claims  int        `db:"n"`
}

// RejectionReasonsOfFile counts a file's rejected and duplicate claims by
// state and reasons.
func (q *Queries) RejectionReasonsOfFile(ctx context.Context, inboundFileID int64) ([]ReasonCount, error) {
	var rs []ReasonCount
	if err := q.selectAll(ctx, &rs, `SELECT state, reasons, COUNT(*) AS n FROM claims
		WHERE inbound_file_id = ? AND state IN ('rejected', 'duplicate')
		GROUP BY state, reasons ORDER BY state, reasons`, inboundFileID); err != nil {
		return nil, fmt.Errorf("store: rejection reasons of file %d: %w", inboundFileID, err)
	}
	return rs, nil
}
