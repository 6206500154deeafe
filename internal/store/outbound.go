package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// OutboundState is the delivery state of an outbound file.
type OutboundState string

// Outbound file states. pending → delivering → delivered, or → failed,
// which ClaimOutbound picks up again once its retry time has come.
const (
	// OutboundPending: written to the spool, waiting for delivery.
	OutboundPending OutboundState = "pending"
	// OutboundDelivering: leased by a delivery worker.
	OutboundDelivering OutboundState = "delivering"
	// OutboundDelivered: handed to the partner.
	OutboundDelivered OutboundState = "delivered"
	// OutboundFailed: the last delivery attempt failed; retried from
	// AvailableAt, or never if AvailableAt is nil.
	OutboundFailed OutboundState = "failed"
)

// Outbound file kinds (the X12 transaction or acknowledgement carried).
const (
	KindTA1   = "TA1"
	Kind999   = "999"
	Kind277CA = "277CA"
	Kind837   = "837"
	Kind835   = "835"
	Kind271   = "271"
	Kind277   = "277"
)

// OutboundFile is a file the clearinghouse sends to a partner: an
// acknowledgement, a response, or claims forwarded to a payer/TPA.
type OutboundFile struct {
	// ID is assigned by EnqueueOutbound.
	ID int64 `db:"id" json:"id"`
	// PartnerID is the receiving partner.
	PartnerID string `db:"partner_id" json:"partner_id"`
	// Kind is one of the Kind* constants.
	Kind string `db:"kind" json:"kind"`
	// Name is the file name to deliver, unique per partner.
	Name string `db:"name" json:"name"`
	// SpoolPath is where the bytes wait on local disk.
	SpoolPath string `db:"spool_path" json:"spool_path"`
	// SHA256 is the lowercase hex digest of the content.
	SHA256 string `db:"sha256" json:"sha256"`
	// Size is the content length in bytes.
	Size int64 `db:"size" json:"size"`
	// InboundFileID is the inbound file this answers, if any.
	InboundFileID *int64 `db:"inbound_file_id" json:"inbound_file_id"`
	// State is the delivery state.
	State OutboundState `db:"state" json:"state"`
	// Attempts counts the claims (delivery attempts) taken on the file.
	Attempts int `db:"attempts" json:"attempts"`
	// LeaseOwner and LeaseUntil describe the current lease while State is
	// delivering.
	LeaseOwner string     `db:"lease_owner" json:"lease_owner"`
	LeaseUntil *time.Time `db:"lease_until" json:"lease_until"`
	// AvailableAt is the earliest time the file may be claimed; nil for a
	// failed file that is not retried automatically.
	AvailableAt *time.Time `db:"available_at" json:"available_at"`
	// Error is the reason of the last failed attempt.
	Error string `db:"error" json:"error"`
	// CreatedAt is when the file was enqueued (UTC).
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	// DeliveredAt is when delivery succeeded (UTC).
	DeliveredAt *time.Time `db:"delivered_at" json:"delivered_at"`
}

func (f *OutboundFile) normalize() {
	f.LeaseUntil = utcPtr(f.LeaseUntil)
	f.AvailableAt = utcPtr(f.AvailableAt)
	f.CreatedAt = utc(f.CreatedAt)
	f.DeliveredAt = utcPtr(f.DeliveredAt)
}

const outboundCols = `id, partner_id, kind, name, spool_path, sha256, size, inbound_file_id,
	state, attempts, lease_owner, lease_until, available_at, error, created_at, delivered_at`

// OutboundFilter filters and pages ListOutbound. Zero fields do not filter.
type OutboundFilter struct {
	// InboundFileID keeps the files answering one inbound file.
	InboundFileID int64
	// PartnerID keeps one partner's files.
	PartnerID string
	// Kind keeps one kind.
	Kind string
	// State keeps one state.
	State OutboundState
	// BeforeID keeps files with a smaller ID (results are newest first).
	BeforeID int64
	// Limit caps the number of rows. Default 100, at most 1000.
	Limit int
}

// EnqueueOutbound records a spooled file for delivery in state pending and
// returns its row. It is idempotent on (PartnerID, Name): a second call
// returns the existing row, whatever its state, with created=false and
// changes nothing (compare SHA256 to detect a different file under the
// same name). A missing partner row is created. Required: PartnerID, Kind,
// Name (a base name), SHA256.
// A SpoolPath that is a spool blob's reference ("pg:<id>") marks the
// blob referenced in the same transaction: a blob that is gone or
// unfinished fails the call with ErrSpoolBlobMissing.
func (q *Queries) EnqueueOutbound(ctx context.Context, f OutboundFile) (rec *OutboundFile, created bool, err error) {
	if err := checkName("name", f.Name); err != nil {
		return nil, false, err
	}
	if f.Kind == "" {
		return nil, false, invalid("kind", f.Kind, "empty")
	}
	if f.SHA256, err = checkSHA256(f.SHA256); err != nil {
		return nil, false, err
	}
	now := q.now()
	err = q.atomic(ctx, func(q *Queries) error {
		if err := q.ensurePartner(ctx, f.PartnerID); err != nil {
			return err
		}
		rec = &OutboundFile{}
		var err error
		created, err = q.insertOrGet(ctx, rec,
			`INSERT INTO outbound_files
			(partner_id, kind, name, spool_path, sha256, size, inbound_file_id, state, available_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
			ON CONFLICT (partner_id, name) DO NOTHING
			RETURNING `+outboundCols,
			[]any{f.PartnerID, f.Kind, f.Name, f.SpoolPath, f.SHA256, f.Size, f.InboundFileID, now, now},
			`SELECT `+outboundCols+` FROM outbound_files WHERE partner_id = ? AND name = ?`,
			f.PartnerID, f.Name)
		if err != nil || !created {
			return err
		}
		return q.linkSpoolBlob(ctx, f.SpoolPath)
	})
	if err != nil {
		return nil, false, fmt.Errorf("store: enqueue outbound %s for %s: %w", f.Name, f.PartnerID, err)
	}
	rec.normalize()
	return rec, created, nil
}

// GetOutbound returns the outbound file with the given ID, or ErrNotFound.
func (q *Queries) GetOutbound(ctx context.Context, id int64) (*OutboundFile, error) {
	var f OutboundFile
	if err := q.get(ctx, &f, `SELECT `+outboundCols+` FROM outbound_files WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: get outbound %d: %w", id, err)
	}
	f.normalize()
	return &f, nil
}

// GetOutboundByName returns a partner's outbound file by name, or
// ErrNotFound.
func (q *Queries) GetOutboundByName(ctx context.Context, partnerID, name string) (*OutboundFile, error) {
	var ids []int64
	if err := q.selectAll(ctx, &ids, `SELECT id FROM outbound_files WHERE partner_id = ? AND name = ?`, partnerID, name); err != nil {
		return nil, fmt.Errorf("store: outbound %s of %s: %w", name, partnerID, err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("store: outbound %s of %s: %w", name, partnerID, ErrNotFound)
	}
	return q.GetOutbound(ctx, ids[0])
}

// ListOutbound returns outbound files, newest first.
func (q *Queries) ListOutbound(ctx context.Context, o OutboundFilter) ([]OutboundFile, error) {
	query := `SELECT ` + outboundCols + ` FROM outbound_files WHERE 1 = 1`
	var args []any
	if o.InboundFileID > 0 {
		query += ` AND inbound_file_id = ?`
		args = append(args, o.InboundFileID)
	}
	if o.PartnerID != "" {
		query += ` AND partner_id = ?`
		args = append(args, o.PartnerID)
	}
	if o.Kind != "" {
		query += ` AND kind = ?`
		args = append(args, o.Kind)
	}
	if o.State != "" {
		query += ` AND state = ?`
		args = append(args, o.State)
	}
	if o.BeforeID > 0 {
		query += ` AND id < ?`
		args = append(args, o.BeforeID)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit(o.Limit))
	var fs []OutboundFile
	if err := q.selectAll(ctx, &fs, query, args...); err != nil {
		return nil, fmt.Errorf("store: list outbound: %w", err)
	}
	for i := range fs {
		fs[i].normalize()
	}
	return fs, nil
}

// ClaimOutbound leases the oldest deliverable file to owner for lease and
// returns it in state delivering with Attempts incremented. Deliverable
// means pending or failed with AvailableAt reached, or delivering with an
// expired lease. partnerID restricts the claim to one partner; "" claims
// for any partner. It returns ErrNoWork when nothing is deliverable. Like
// ClaimInbound it is one atomic statement using FOR UPDATE SKIP LOCKED on
// PostgreSQL.
//
// Delivery is first in, first out per partner: a file is never leased
// while an older file of the same partner is still undelivered (pending,
// delivering, or failed and waiting for its retry), so a partner never
// receives a later file (a replacement, say) before an earlier one. A
// parked file (failed with no AvailableAt) does not hold the later ones
// back. A partner whose oldest file waits for its retry time therefore
// has nothing deliverable until then: the retry time of the head of the
// queue is the partner's backoff, shared by every engine.
func (q *Queries) ClaimOutbound(ctx context.Context, owner string, lease time.Duration, partnerID string) (*OutboundFile, error) {
	return q.ClaimOutboundFrom(ctx, owner, lease, partnerID, 0)
}

// ClaimOutboundFrom is ClaimOutbound reading one partner's open files from
// ID fromID on (fromID <= 0: all of them), for a deliverer draining the
// partner's queue: after it leased a file, no older file of the partner was
// open, so the next head is at or after that file's ID unless an operator
// reset an older file meanwhile (ResetOutbound), which the deliverer's next
// pass, from the start, finds. The open-file index still holds an entry
// for every file delivered since the table was last vacuumed, and an entry
// cannot be skipped without reading its row while any transaction older
// than the delivery runs (issue #11: 3 ms a file at 10 000 delivered
// files); starting at fromID skips them.
func (q *Queries) ClaimOutboundFrom(ctx context.Context, owner string, lease time.Duration, partnerID string, fromID int64) (*OutboundFile, error) {
	if err := checkLease(owner, lease); err != nil {
		return nil, err
	}
	now := q.now()
	// Only the oldest open file of a partner (pending, delivering, or
	// failed with a retry time) is a candidate. The subqueries read rows
	// another claimer holds locked (they do not lock them), so with SKIP
	// LOCKED a file whose older sibling is being claimed concurrently is
	// still held back.
	var query string
	var args []any
	if partnerID != "" {
		// One partner (the deliverer's case): its head is the first entry
		// of outbound_files_partner_open_idx, read by an ordered index
		// scan that stops there (the state condition is the index's own,
		// so no OR turns it into bitmap scans). An aggregate over the
		// open files, as below, was planned by PostgreSQL (without
		// statistics) as bitmap scans of every file the partner ever had,
		// and bitmap scans revisit the dead index entries each delivered
		// file leaves (autovacuum off): 4 ms a claim at 10 000 files,
		// growing with the history (issue #11).
		query = `UPDATE outbound_files
			SET state = 'delivering', lease_owner = ?, lease_until = ?, attempts = attempts + 1
			WHERE id = (
				SELECT o.id FROM outbound_files o
				WHERE o.id = (
					SELECT e.id FROM outbound_files e
					WHERE e.partner_id = ? AND e.id >= ? AND e.state IN ('pending', 'delivering', 'failed')
					AND (e.state <> 'failed' OR e.available_at IS NOT NULL)
					ORDER BY e.partner_id, e.id
					LIMIT 1)
				AND (o.state IN ('pending', 'failed') AND o.available_at <= ?
					OR o.state = 'delivering' AND o.lease_until < ?)` + q.skipLocked() + `)
			RETURNING ` + outboundCols
		args = []any{owner, now.Add(lease), partnerID, fromID, now, now}
	} else {
		// Every partner: the heads are one indexed aggregate over the
		// open files, computed once, not per candidate row (PostgreSQL
		// without statistics would otherwise re-run the aggregate for
		// every open file; = ANY(ARRAY(...)) is evaluated once as an
		// InitPlan).
		heads, headsEnd := `IN`, ``
		if q.dialect == DialectPostgres {
			heads, headsEnd = `= ANY(ARRAY`, `)`
		}
		query = `UPDATE outbound_files
			SET state = 'delivering', lease_owner = ?, lease_until = ?, attempts = attempts + 1
			WHERE id = (
				SELECT o.id FROM outbound_files o
				WHERE (o.state IN ('pending', 'failed') AND o.available_at <= ?
					OR o.state = 'delivering' AND o.lease_until < ?)
				AND o.id ` + heads + ` (
					SELECT MIN(e.id) FROM outbound_files e
					WHERE (e.state IN ('pending', 'delivering') OR e.state = 'failed' AND e.available_at IS NOT NULL)
					GROUP BY e.partner_id)` + headsEnd + `
				ORDER BY o.id
				LIMIT 1` + q.skipLocked() + `)
			RETURNING ` + outboundCols
		args = []any{owner, now.Add(lease), now, now}
	}
	var f OutboundFile
	err := q.get(ctx, &f, query, args...)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNoWork
	}
	if err != nil {
		return nil, fmt.Errorf("store: claim outbound: %w", err)
	}
	f.normalize()
	return &f, nil
}

// RenewOutbound extends owner's lease on a delivering file to now+lease.
// It returns ErrLeaseLost if owner no longer holds the lease.
func (q *Queries) RenewOutbound(ctx context.Context, id int64, owner string, lease time.Duration) error {
	if err := checkLease(owner, lease); err != nil {
		return err
	}
	n, err := q.exec(ctx, `UPDATE outbound_files SET lease_until = ?
		WHERE id = ? AND state = 'delivering' AND lease_owner = ?`,
		q.now().Add(lease), id, owner)
	if err == nil && n == 0 {
		err = q.leaseLost(ctx, "outbound_files", id)
	}
	if err != nil {
		return fmt.Errorf("store: renew outbound %d: %w", id, err)
	}
	return nil
}

// MarkDelivered records a successful delivery and ends owner's lease. It
// returns ErrLeaseLost if owner no longer holds the file.
func (q *Queries) MarkDelivered(ctx context.Context, id int64, owner string) error {
	now := q.now()
	n, err := q.exec(ctx, markDelivered, now, id, owner)
	if err == nil && n == 0 {
		err = q.leaseLost(ctx, "outbound_files", id)
	}
	if err != nil {
		return fmt.Errorf("store: mark outbound %d delivered: %w", id, err)
	}
	return nil
}

// markDelivered marks a file delivered (delivered_at, id, owner) if the
// owner holds its lease.
const markDelivered = `UPDATE outbound_files
	SET state = 'delivered', delivered_at = ?, error = '',
		lease_owner = '', lease_until = NULL, available_at = NULL
	WHERE id = ? AND state = 'delivering' AND lease_owner = ?`

// MarkDeliveredAudited is MarkDelivered with the audit entry of the
// delivery, committed together: on PostgreSQL one statement (the mark
// and the audit row in one round trip and one commit), elsewhere a
// transaction of the two.
func (q *Queries) MarkDeliveredAudited(ctx context.Context, id int64, owner string, e AuditEntry) error {
	if e.Action == "" {
		return invalid("audit action", "", "empty")
	}
	if q.dialect != DialectPostgres {
		return q.atomic(ctx, func(q *Queries) error {
			if err := q.MarkDelivered(ctx, id, owner); err != nil {
				return err
			}
			return q.Audit(ctx, e)
		})
	}
	now := q.now()
	// The audit row is inserted only for the row the UPDATE marks; the
	// casts give the parameters the types of auditCols.
	n, err := q.exec(ctx, `WITH d AS (`+markDelivered+` RETURNING id)
		INSERT INTO audit_log (`+auditCols+`)
		SELECT CAST(? AS timestamptz), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text),
			CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text) FROM d`, auditArgs([]any{now, id, owner}, now, e)...)
	if err == nil && n == 0 {
		err = q.leaseLost(ctx, "outbound_files", id)
	}
	if err != nil {
		return fmt.Errorf("store: mark outbound %d delivered: %w", id, err)
	}
	return nil
}

// MarkOutboundFailed records a failed delivery attempt and ends owner's
// lease. The file becomes claimable again at retryAt; a zero retryAt
// parks it (state failed, no automatic retry) until ResetOutbound. It
// returns ErrLeaseLost if owner no longer holds the file.
func (q *Queries) MarkOutboundFailed(ctx context.Context, id int64, owner, cause string, retryAt time.Time) error {
	var avail *time.Time
	if !retryAt.IsZero() {
		t := retryAt.UTC().Truncate(time.Microsecond)
		avail = &t
	}
	n, err := q.exec(ctx, `UPDATE outbound_files
		SET state = 'failed', error = ?, available_at = ?, lease_owner = '', lease_until = NULL
		WHERE id = ? AND state = 'delivering' AND lease_owner = ?`, cause, avail, id, owner)
	if err == nil && n == 0 {
		err = q.leaseLost(ctx, "outbound_files", id)
	}
	if err != nil {
		return fmt.Errorf("store: mark outbound %d failed: %w", id, err)
	}
	return nil
}

// ResetOutbound makes a file pending and claimable now, for a manual
// retry or resend (also of a delivered file). It returns ErrLeased while a
// worker holds a live lease on it.
func (q *Queries) ResetOutbound(ctx context.Context, id int64) error {
	now := q.now()
	n, err := q.exec(ctx, `UPDATE outbound_files
		SET state = 'pending', error = '', available_at = ?, delivered_at = NULL,
			lease_owner = '', lease_until = NULL
		WHERE id = ? AND NOT (state = 'delivering' AND lease_until >= ?)`, now, id, now)
	if err == nil && n == 0 {
		if err = q.leaseLost(ctx, "outbound_files", id); errors.Is(err, ErrLeaseLost) {
			err = ErrLeased
		}
	}
	if err != nil {
		return fmt.Errorf("store: reset outbound %d: %w", id, err)
	}
	return nil
}
