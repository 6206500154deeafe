package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one row of the audit log: who did what to which entity.
// Detail must not contain PHI (IDs and control numbers only).
type AuditEntry struct {
	// ID is assigned by Audit.
	ID int64 `db:"id"`
	// At is when it happened (UTC); Audit fills in now when zero.
	At time.Time `db:"at"`
	// Actor is the component or operator, e.g. "pipeline/dedupe" or
	// "cli:alice".
	Actor string `db:"actor"`
	// Action is what happened, e.g. "claim.duplicate" or "inbound.reset".
	Action string `db:"action"`
	// Entity and EntityID name the object, e.g. "claim" and "42".
	Entity   string `db:"entity"`
	EntityID string `db:"entity_id"`
	// Detail is free text or JSON.
	Detail string `db:"detail"`
	// UserName and ClientIP say which portal user, from where (web
	// requests; "" otherwise).
	UserName string `db:"user_name"`
	ClientIP string `db:"client_ip"`
	// MemberID and ClaimControl name the member and claim whose data was
	// shown or changed (the PHI audit: who saw member X). PHI: never log.
	MemberID     string `db:"member_id"`
	ClaimControl string `db:"claim_control"`
}

// AuditFilter selects entries for ListAudit. Zero fields do not filter.
type AuditFilter struct {
	// Entity and EntityID keep one object's (or one kind's) history.
	Entity   string
	EntityID string
	// Action keeps one action.
	Action string
	// UserName keeps one portal user's entries (what did user Y see).
	UserName string
	// MemberID keeps the entries about one member (who saw member X).
	MemberID string
	// BeforeID keeps entries with a smaller ID (results are newest first).
	BeforeID int64
	// Limit caps the number of rows. Default 100, at most 1000.
	Limit int
}

// Audit appends e to the audit log. Call it on the Tx of the change it
// describes so that both commit or neither does.
func (q *Queries) Audit(ctx context.Context, e AuditEntry) error {
	if e.Action == "" {
		return invalid("audit action", "", "empty")
	}
	_, err := q.exec(ctx, `INSERT INTO audit_log (`+auditCols+`) VALUES (`+auditRow+`)`, auditArgs(nil, q.now(), e)...)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}

// auditCols are the audit_log columns an entry fills, auditRow their
// placeholders and auditArgs their values.
const (
	auditCols = `at, actor, action, entity, entity_id, detail, user_name, client_ip, member_id, claim_control`
	auditRow  = `?, ?, ?, ?, ?, ?, ?, ?, ?, ?`
)

// auditArgs appends to args the values of e's row: its time, or now.
func auditArgs(args []any, now time.Time, e AuditEntry) []any {
	at := now
	if !e.At.IsZero() {
		at = e.At.UTC().Truncate(time.Microsecond)
	}
	return append(args, at, e.Actor, e.Action, e.Entity, e.EntityID, e.Detail, e.UserName, e.ClientIP, e.MemberID, e.ClaimControl)
}

// ListAudit returns audit entries matching f, newest first.
func (q *Queries) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	query := `SELECT id, at, actor, action, entity, entity_id, detail, user_name, client_ip, member_id,
		claim_control FROM audit_log WHERE 1 = 1`
	var args []any
	if f.Entity != "" {
		query += ` AND entity = ?`
		args = append(args, f.Entity)
	}
	if f.EntityID != "" {
		query += ` AND entity_id = ?`
		args = append(args, f.EntityID)
	}
	if f.Action != "" {
		query += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.UserName != "" {
		query += ` AND user_name = ?`
		args = append(args, f.UserName)
	}
	if f.MemberID != "" {
		query += ` AND member_id = ?`
		args = append(args, f.MemberID)
	}
	if f.BeforeID > 0 {
		query += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit(f.Limit))
	var es []AuditEntry
	if err := q.selectAll(ctx, &es, query, args...); err != nil {
		return nil, fmt.Errorf("store: list audit: %w", err)
	}
	for i := range es {
		es[i].At = utc(es[i].At)
	}
	return es, nil
}

// AuditBatch appends several entries, batchRows a statement, atomically
// (one commit, or a round trip per batchRows entries in a transaction):
// the entries of concurrent requests, or those of one set's or one
// batch's claims.
func (q *Queries) AuditBatch(ctx context.Context, es []AuditEntry) error {
	if len(es) == 0 {
		return nil
	}
	for _, e := range es {
		if e.Action == "" {
			return invalid("audit action", "", "empty")
		}
	}
	now := q.now()
	insert := func(q *Queries, chunk []AuditEntry) error {
		var b strings.Builder
		b.WriteString(`INSERT INTO audit_log (` + auditCols + `) VALUES `)
		args := make([]any, 0, 10*len(chunk))
		for i, e := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + auditRow + ")")
			args = auditArgs(args, now, e)
		}
		_, err := q.exec(ctx, b.String(), args...)
		return err
	}
	var err error
	if len(es) <= batchRows {
		err = insert(q, es)
	} else {
		err = q.atomic(ctx, func(q *Queries) error {
			for start := 0; start < len(es); start += batchRows {
				if err := insert(q, es[start:min(start+batchRows, len(es))]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		return fmt.Errorf("store: audit batch of %d: %w", len(es), err)
	}
	return nil
}

// AuditBatchAsync is AuditBatch committed without waiting for the commit
// to be flushed to disk: on PostgreSQL it runs on the AsyncCommit pool
// (synchronous_commit off: the entries are visible at once and never
// torn; a crash of the database server — not of the engine — can lose the
// entries of roughly the last 3 × wal_writer_delay, 600 ms by default).
// The real-time endpoint uses it when realtime_audit_commit is "async",
// so that an answer does not wait on the disk's fsync. On SQLite it is
// AuditBatch.
func (s *Store) AuditBatchAsync(ctx context.Context, es []AuditEntry) error {
	q, err := s.AsyncCommit()
	if err != nil {
		return err
	}
	return q.AuditBatch(ctx, es)
}
