package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// InboundState is the processing state of an inbound file.
type InboundState string

// Inbound file states. received → processing → processed | rejected |
// failed | retrying | quarantined; retrying → processing once its
// AvailableAt has come; held → received when released (ReleaseHeld,
// ReleaseHeldFile); ResetInbound moves any file back to received.
const (
	// InboundReceived: spooled and recorded, waiting for a worker.
	InboundReceived InboundState = "received"
	// InboundProcessing: leased by a worker (LeaseOwner until LeaseUntil).
	InboundProcessing InboundState = "processing"
	// InboundProcessed: parsed; acknowledgements were produced.
	InboundProcessed InboundState = "processed"
	// InboundRejected: refused as a whole (bad envelope, duplicate
	// interchange, unknown partner, ...); see Error.
	InboundRejected InboundState = "rejected"
	// InboundFailed: processing broke (I/O, bug); needs ResetInbound.
	InboundFailed InboundState = "failed"
	// InboundRetrying: processing failed for a reason that may pass (a
	// dropped database connection, a full disk); nothing of the attempt
	// was kept, and the file is claimed again from AvailableAt. Error is
	// the last failure.
	InboundRetrying InboundState = "retrying"
	// InboundQuarantined: processing failed, or the engine died while
	// processing the file, too many times; it is never retried
	// automatically (ResetInbound, `clearinghouse reprocess`). Error says
	// why.
	InboundQuarantined InboundState = "quarantined"
	// InboundHeld: spooled and recorded, waiting to be released (a CSV
	// submission waits for the nightly run). A held file is never
	// claimed and does not hold up the partner's later files; released,
	// it is an ordinary received file.
	InboundHeld InboundState = "held"
)

// InboundCounts are the result counters of a processed inbound file.
type InboundCounts struct {
	// Interchanges is the number of ISA..IEA envelopes read.
	Interchanges int `db:"interchanges" json:"interchanges"`
	// Transactions is the number of ST..SE sets read.
	Transactions int `db:"transactions" json:"transactions"`
	// TxAccepted and TxRejected count sets by 999 IK5 result.
	TxAccepted int `db:"tx_accepted" json:"tx_accepted"`
	TxRejected int `db:"tx_rejected" json:"tx_rejected"`
	// ClaimsAccepted and ClaimsRejected count claims by 277CA result.
	ClaimsAccepted int `db:"claims_accepted" json:"claims_accepted"`
	ClaimsRejected int `db:"claims_rejected" json:"claims_rejected"`
}

// InboundFile is a file received from a partner. Its raw bytes are kept at
// SpoolPath; the row is the unit of work for the processing pipeline.
type InboundFile struct {
	// ID is assigned by RecordInbound.
	ID int64 `db:"id" json:"id"`
	// PartnerID is the sending partner.
	PartnerID string `db:"partner_id" json:"partner_id"`
	// Name is the sanitised base name of the remote file.
	Name string `db:"name" json:"name"`
	// RemotePath is where the file was found on the partner's server.
	RemotePath string `db:"remote_path" json:"remote_path"`
	// SHA256 is the lowercase hex digest of the content.
	SHA256 string `db:"sha256" json:"sha256"`
	// Size is the content length in bytes.
	Size int64 `db:"size" json:"size"`
	// SpoolPath is where the raw bytes are kept on local disk.
	SpoolPath string `db:"spool_path" json:"spool_path"`
	// State is the processing state.
	State InboundState `db:"state" json:"state"`
	// Attempts counts the claims (leases) taken on the file.
	Attempts int `db:"attempts" json:"attempts"`
	// LeaseOwner and LeaseUntil describe the current lease while State is
	// processing; empty and nil otherwise.
	LeaseOwner string     `db:"lease_owner" json:"lease_owner"`
	LeaseUntil *time.Time `db:"lease_until" json:"lease_until"`
	// Error is the reason of a rejected or failed file.
	Error string `db:"error" json:"error"`
	// ReceivedAt is when the file was recorded (UTC).
	ReceivedAt time.Time `db:"received_at" json:"received_at"`
	// ProcessedAt is when processing finished (UTC), nil before.
	ProcessedAt *time.Time `db:"processed_at" json:"processed_at"`
	// AvailableAt is when a retrying file is claimable again (UTC).
	AvailableAt *time.Time `db:"available_at" json:"available_at,omitempty"`
	InboundCounts
	// Summary is a free-form (usually JSON) processing summary.
	Summary string `db:"summary" json:"summary"`
}

func (f *InboundFile) normalize() {
	f.LeaseUntil = utcPtr(f.LeaseUntil)
	f.ReceivedAt = utc(f.ReceivedAt)
	f.ProcessedAt = utcPtr(f.ProcessedAt)
	f.AvailableAt = utcPtr(f.AvailableAt)
}

const inboundCols = `id, partner_id, name, remote_path, sha256, size, spool_path, state,
	attempts, lease_owner, lease_until, error, received_at, processed_at,
	interchanges, transactions, tx_accepted, tx_rejected, claims_accepted, claims_rejected, summary,
	available_at`

// InboundResult is what FinishInbound records about a processed file.
type InboundResult struct {
	// State is the final state: InboundProcessed, InboundRejected or
	// InboundFailed.
	State InboundState
	// Error explains a rejected or failed file.
	Error string
	// Counts are the result counters.
	Counts InboundCounts
	// Summary is a free-form (usually JSON) processing summary.
	Summary string
}

// ListOpts filters and pages ListInbound. Zero fields do not filter.
type ListOpts struct {
	// PartnerID keeps one partner's files.
	PartnerID string
	// State keeps files in this state.
	State InboundState
	// BeforeID keeps files with a smaller ID (the next page after the last
	// ID seen, since results are newest first).
	BeforeID int64
	// Limit caps the number of rows. Default 100, at most 1000.
	Limit int
}

func limit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}

// checkName refuses anything but a plain file base name.
func checkName(field, name string) error {
	switch {
	case name == "", name == ".", name == "..":
		return invalid(field, name, "not a file name")
	case strings.ContainsAny(name, "/\\\x00"):
		return invalid(field, name, "must be a base name without path separators")
	}
	return nil
}

// checkSHA256 normalises a hex SHA-256 digest to lowercase.
func checkSHA256(sum string) (string, error) {
	sum = strings.ToLower(sum)
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return "", invalid("sha256", sum, "want 64 hex digits")
	}
	return sum, nil
}

// RecordInbound records a received file and returns its row. The same
// content (SHA256) from the same partner is recorded once: a second call
// returns the existing row with created=false and changes nothing. A
// missing partner row is created. Required: PartnerID, Name (a base name),
// SHA256; ReceivedAt defaults to now. State is InboundHeld to record the
// file held (see ReleaseHeld), else ignored (received); lease and results
// are ignored. A SpoolPath that is a spool blob's reference ("pg:<id>") marks the
// blob referenced in the same transaction: a blob that is gone or
// unfinished fails the call with ErrSpoolBlobMissing.
func (q *Queries) RecordInbound(ctx context.Context, f InboundFile) (rec *InboundFile, created bool, err error) {
	if err := checkName("name", f.Name); err != nil {
		return nil, false, err
	}
	if f.SHA256, err = checkSHA256(f.SHA256); err != nil {
		return nil, false, err
	}
	if f.Size < 0 {
		return nil, false, invalid("size", fmt.Sprint(f.Size), "negative")
	}
	if f.ReceivedAt.IsZero() {
		f.ReceivedAt = q.now()
	}
	f.ReceivedAt = f.ReceivedAt.UTC().Truncate(time.Microsecond)
	state := InboundReceived
	if f.State == InboundHeld {
		state = InboundHeld
	}
	err = q.atomic(ctx, func(q *Queries) error {
		if err := q.ensurePartner(ctx, f.PartnerID); err != nil {
			return err
		}
		rec = &InboundFile{}
		var err error
		created, err = q.insertOrGet(ctx, rec,
			`INSERT INTO inbound_files
			(partner_id, name, remote_path, sha256, size, spool_path, state, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (partner_id, sha256) DO NOTHING
			RETURNING `+inboundCols,
			[]any{f.PartnerID, f.Name, f.RemotePath, f.SHA256, f.Size, f.SpoolPath, state, f.ReceivedAt},
			`SELECT `+inboundCols+` FROM inbound_files WHERE partner_id = ? AND sha256 = ?`,
			f.PartnerID, f.SHA256)
		if err != nil || !created {
			return err
		}
		return q.linkSpoolBlob(ctx, f.SpoolPath)
	})
	if err != nil {
		return nil, false, fmt.Errorf("store: record inbound %s from %s: %w", f.Name, f.PartnerID, err)
	}
	rec.normalize()
	return rec, created, nil
}

// GetInbound returns the inbound file with the given ID, or ErrNotFound.
func (q *Queries) GetInbound(ctx context.Context, id int64) (*InboundFile, error) {
	var f InboundFile
	if err := q.get(ctx, &f, `SELECT `+inboundCols+` FROM inbound_files WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("store: get inbound %d: %w", id, err)
	}
	f.normalize()
	return &f, nil
}

// ListInbound returns inbound files, newest first.
func (q *Queries) ListInbound(ctx context.Context, o ListOpts) ([]InboundFile, error) {
	query := `SELECT ` + inboundCols + ` FROM inbound_files WHERE 1 = 1`
	var args []any
	if o.PartnerID != "" {
		query += ` AND partner_id = ?`
		args = append(args, o.PartnerID)
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
	var fs []InboundFile
	if err := q.selectAll(ctx, &fs, query, args...); err != nil {
		return nil, fmt.Errorf("store: list inbound: %w", err)
	}
	for i := range fs {
		fs[i].normalize()
	}
	return fs, nil
}

// ClaimInbound leases the oldest claimable inbound file to owner for lease
// and returns it in state processing with Attempts incremented. Claimable
// means received, retrying with AvailableAt reached, or processing with an
// expired lease (its previous owner is presumed dead) — and no older file
// of the same partner still open (received, retrying or processing):
// a partner's files are processed in arrival order, so a later file never
// runs against the partial state of an earlier one. Held files are
// neither claimable nor open: they wait for their release without
// holding up the partner's later files. It returns ErrNoWork
// when nothing is claimable. The claim is one atomic statement; on
// PostgreSQL its row selection uses FOR UPDATE SKIP LOCKED, so concurrent
// claimers in any number of processes never get the same file.
func (q *Queries) ClaimInbound(ctx context.Context, owner string, lease time.Duration) (*InboundFile, error) {
	now := q.now()
	f, err := q.leaseInbound(ctx, owner, lease, now, `id = (
			SELECT f.id FROM inbound_files f
			WHERE (f.state = 'received'
				OR f.state = 'retrying' AND f.available_at <= ?
				OR f.state = 'processing' AND f.lease_until < ?)
			AND NOT EXISTS (SELECT 1 FROM inbound_files e
				WHERE e.partner_id = f.partner_id AND e.id < f.id
				AND e.state IN ('received', 'processing', 'retrying'))
			ORDER BY f.id
			LIMIT 1`+q.skipLocked()+`)`, now, now)
	if err != nil && !errors.Is(err, ErrNoWork) {
		return nil, fmt.Errorf("store: claim inbound: %w", err)
	}
	return f, err
}

// leaseInbound marks the inbound file the where clause selects as
// processing under owner's lease, atomically, and returns it (ErrNoWork
// when none matches). now is the time the caller's where clause compares
// leases with.
func (q *Queries) leaseInbound(ctx context.Context, owner string, lease time.Duration, now time.Time, where string, whereArgs ...any) (*InboundFile, error) {
	if err := checkLease(owner, lease); err != nil {
		return nil, err
	}
	var f InboundFile
	args := append([]any{owner, now.Add(lease)}, whereArgs...)
	err := q.get(ctx, &f, `UPDATE inbound_files
		SET state = 'processing', lease_owner = ?, lease_until = ?, attempts = attempts + 1, available_at = NULL
		WHERE `+where+`
		RETURNING `+inboundCols, args...)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNoWork
	}
	if err != nil {
		return nil, err
	}
	f.normalize()
	return &f, nil
}

// RenewInbound extends owner's lease on a processing file to now+lease.
// It returns ErrLeaseLost if owner no longer holds the lease.
func (q *Queries) RenewInbound(ctx context.Context, id int64, owner string, lease time.Duration) error {
	if err := checkLease(owner, lease); err != nil {
		return err
	}
	n, err := q.exec(ctx, `UPDATE inbound_files SET lease_until = ?
		WHERE id = ? AND state = 'processing' AND lease_owner = ?`,
		q.now().Add(lease), id, owner)
	if err == nil && n == 0 {
		err = q.leaseLost(ctx, "inbound_files", id)
	}
	if err != nil {
		return fmt.Errorf("store: renew inbound %d: %w", id, err)
	}
	return nil
}

// FinishInbound records the result of processing and ends owner's lease.
// It succeeds only while owner still holds the file (state processing,
// lease_owner = owner; a lease that expired without being reclaimed still
// counts) and returns ErrLeaseLost otherwise, ErrNotFound for an unknown
// ID.
func (q *Queries) FinishInbound(ctx context.Context, id int64, owner string, r InboundResult) error {
	switch r.State {
	case InboundProcessed, InboundRejected, InboundFailed, InboundQuarantined:
	default:
		return invalid("inbound result state", string(r.State), "want processed, rejected, failed or quarantined")
	}
	c := r.Counts
	n, err := q.exec(ctx, `UPDATE inbound_files
		SET state = ?, error = ?, summary = ?, processed_at = ?,
			lease_owner = '', lease_until = NULL,
			interchanges = ?, transactions = ?, tx_accepted = ?, tx_rejected = ?,
			claims_accepted = ?, claims_rejected = ?
		WHERE id = ? AND state = 'processing' AND lease_owner = ?`,
		r.State, r.Error, r.Summary, q.now(),
		c.Interchanges, c.Transactions, c.TxAccepted, c.TxRejected, c.ClaimsAccepted, c.ClaimsRejected,
		id, owner)
	if err == nil && n == 0 {
		err = q.leaseLost(ctx, "inbound_files", id)
	}
	if err != nil {
		return fmt.Errorf("store: finish inbound %d: %w", id, err)
	}
	return nil
}

// ResetInbound puts a file back to received for reprocessing, clearing its
// error, results, processed time and attempts (an operator's retry of a
// quarantined file gets a fresh budget). It returns
// ErrLeased while a worker holds a live lease on it. Rows derived from the
// earlier processing (interchanges, claims, outbound files) are kept; the
// pipeline decides what reprocessing means for them.
func (q *Queries) ResetInbound(ctx context.Context, id int64) error {
	n, err := q.exec(ctx, `UPDATE inbound_files
		SET state = 'received', error = '', summary = '', processed_at = NULL,
			lease_owner = '', lease_until = NULL, available_at = NULL, attempts = 0,
			interchanges = 0, transactions = 0, tx_accepted = 0, tx_rejected = 0,
			claims_accepted = 0, claims_rejected = 0
		WHERE id = ? AND NOT (state = 'processing' AND lease_until >= ?)`, id, q.now())
	if err == nil && n == 0 {
		if err = q.leaseLost(ctx, "inbound_files", id); errors.Is(err, ErrLeaseLost) {
			err = ErrLeased
		}
	}
	if err != nil {
		return fmt.Errorf("store: reset inbound %d: %w", id, err)
	}
	return nil
}

// ReleaseHeld makes every held file received up to upTo (inclusive)
// claimable: its state becomes received, as if it had just arrived. It
// returns how many files it released. One statement: a crash leaves
// either every such file held or every one received, and a received file
// is processed exactly once by the usual claims.
func (q *Queries) ReleaseHeld(ctx context.Context, upTo time.Time) (int64, error) {
	n, err := q.exec(ctx, `UPDATE inbound_files SET state = 'received'
		WHERE state = 'held' AND received_at <= ?`, upTo.UTC().Truncate(time.Microsecond))
	if err != nil {
		return 0, fmt.Errorf("store: release held inbound files: %w", err)
	}
	return n, nil
}

// ReleaseHeldFile makes one held file received (claimable). It returns
// ErrNotFound for an unknown ID and ErrNotHeld when the file is in
// another state (with that state in the error).
func (q *Queries) ReleaseHeldFile(ctx context.Context, id int64) error {
	n, err := q.exec(ctx, `UPDATE inbound_files SET state = 'received' WHERE id = ? AND state = 'held'`, id)
	if err == nil && n == 0 {
		var f InboundFile
		if err = q.get(ctx, &f, `SELECT `+inboundCols+` FROM inbound_files WHERE id = ?`, id); err == nil {
			err = fmt.Errorf("%w (it is %s)", ErrNotHeld, f.State)
		}
	}
	if err != nil {
		return fmt.Errorf("store: release inbound %d: %w", id, err)
	}
	return nil
}

// CountInFlight counts the files received up to upTo that are being
// processed (a live lease) or waiting to be (received, and not stuck
// behind an earlier retrying file of their partner): what is still to
// settle before a report of those files is complete. Held, retrying and
// finished files do not count.
func (q *Queries) CountInFlight(ctx context.Context, upTo time.Time) (int, error) {
	now := q.now()
	var n int
	err := q.get(ctx, &n, `SELECT COUNT(*) FROM inbound_files f
		WHERE f.received_at <= ? AND (
			f.state = 'processing' AND f.lease_until >= ?
			OR f.state = 'received' AND NOT EXISTS (SELECT 1 FROM inbound_files e
				WHERE e.partner_id = f.partner_id AND e.id < f.id AND e.state = 'retrying'))`,
		upTo.UTC().Truncate(time.Microsecond), now)
	if err != nil {
		return 0, fmt.Errorf("store: count inbound files in flight: %w", err)
	}
	return n, nil
}

// RetryInbound ends owner's lease on a file whose processing failed for a
// reason that may pass: the file becomes retrying, claimable again at
// retryAt, with cause as its error. Nothing else of the attempt is kept
// (the pipeline rolled it back). It returns ErrLeaseLost if owner no
// longer holds the file.
func (q *Queries) RetryInbound(ctx context.Context, id int64, owner, cause string, retryAt time.Time) error {
	n, err := q.exec(ctx, `UPDATE inbound_files
		SET state = 'retrying', error = ?, available_at = ?, lease_owner = '', lease_until = NULL
		WHERE id = ? AND state = 'processing' AND lease_owner = ?`,
		cause, retryAt.UTC().Truncate(time.Microsecond), id, owner)
	if err == nil && n == 0 {
		err = q.leaseLost(ctx, "inbound_files", id)
	}
	if err != nil {
		return fmt.Errorf("store: retry inbound %d: %w", id, err)
	}
	return nil
}

// ReleaseInbound gives up owner's lease on a file it did not finish (a
// graceful shutdown): the file is claimable again at once, and the
// abandoned attempt is not counted. It returns ErrLeaseLost if owner no
// longer holds the file.
func (q *Queries) ReleaseInbound(ctx context.Context, id int64, owner string) error {
	n, err := q.exec(ctx, `UPDATE inbound_files
		SET state = 'received', lease_owner = '', lease_until = NULL,
			attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
		WHERE id = ? AND state = 'processing' AND lease_owner = ?`, id, owner)
	if err == nil && n == 0 {
		err = q.leaseLost(ctx, "inbound_files", id)
	}
	if err != nil {
		return fmt.Errorf("store: release inbound %d: %w", id, err)
	}
	return nil
}

// LockPartnerInbound takes, for the current transaction, the lock that
// serialises the processing of one partner's files across engines
// (pg_advisory_xact_lock on PostgreSQL; SQLite has a single writer). Two
// engines never decide a partner's duplicates and corrections at once.
func (q *Queries) LockPartnerInbound(ctx context.Context, partnerID string) error {
	if q.dialect != DialectPostgres {
		return nil
	}
	if q.tx == nil {
		return errors.New("store: LockPartnerInbound needs a transaction")
	}
	if _, err := q.ext.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':inbound:' || $1))`, partnerID); err != nil {
		return fmt.Errorf("store: lock partner %s: %w", partnerID, err)
	}
	return nil
}

// skipLocked is the row-locking clause of a claim's subquery.
func (q *Queries) skipLocked() string {
	if q.dialect == DialectPostgres {
		return ` FOR UPDATE SKIP LOCKED`
	}
	return ``
}

func checkLease(owner string, lease time.Duration) error {
	if owner == "" {
		return invalid("lease owner", owner, "empty")
	}
	if lease <= 0 {
		return invalid("lease", lease.String(), "must be positive")
	}
	return nil
}

// leaseLost explains why a lease-guarded update of table matched no row:
// ErrNotFound if the row does not exist, ErrLeaseLost otherwise.
func (q *Queries) leaseLost(ctx context.Context, table string, id int64) error {
	var n int
	if err := q.get(ctx, &n, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id); err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return ErrLeaseLost
}

// Now is the store's clock (Config.Now): use it for times the store
// compares with its own, such as retry times.
func (q *Queries) Now() time.Time { return q.now() }
