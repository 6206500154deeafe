package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"
)

// ClaimReceived is the state of a claim recorded while its interchange is
// still being read: the envelope verdict (TA1/999) that decides whether it
// is accepted is not known yet.
const ClaimReceived ClaimState = "received"

// ReserveControlNumbers reserves n consecutive numbers of partnerID's kind
// sequence and returns the first. Unlike NextControlNumber it never wraps:
// it is meant for identifiers such as claim control numbers that must stay
// unique forever.
func (q *Queries) ReserveControlNumbers(ctx context.Context, partnerID, kind string, n int) (int64, error) {
	if kind == "" || n < 1 {
		return 0, invalid("control number reservation", fmt.Sprint(n), "empty kind or n < 1")
	}
	var last int64
	err := q.get(ctx, &last, `INSERT INTO control_numbers (partner_id, kind, last_value, updated_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (partner_id, kind) DO UPDATE SET
			last_value = control_numbers.last_value + ?,
			updated_at = excluded.updated_at
		RETURNING last_value`, partnerID, kind, int64(n), q.now(), int64(n))
	if err != nil {
		return 0, fmt.Errorf("store: reserve control numbers %s/%s: %w", partnerID, kind, err)
	}
	return last - int64(n) + 1, nil
}

// SetClaimsOutcome sets the state, reasons and transaction of the claims
// with the given IDs (the claims of one transaction set, once its
// envelope verdict is known).
func (q *Queries) SetClaimsOutcome(ctx context.Context, ids []int64, transactionID *int64, state ClaimState, reasons string) error {
	if err := q.updateClaims(ctx, ids, `state = ?, reasons = ?, transaction_id = ?`, state, reasons, transactionID); err != nil {
		return fmt.Errorf("store: set claims outcome: %w", err)
	}
	return nil
}

// updateClaims applies one SET clause (with its arguments) and updated_at
// to the claims with the given IDs, 500 IDs per statement, atomically.
func (q *Queries) updateClaims(ctx context.Context, ids []int64, set string, setArgs ...any) error {
	now := q.now()
	return q.atomic(ctx, func(q *Queries) error {
		for len(ids) > 0 {
			n := min(len(ids), 500)
			chunk := ids[:n]
			ids = ids[n:]
			args := append(append([]any{}, setArgs...), now)
			var in string
			if q.dialect == DialectPostgres {
				in = `(?` + strings.Repeat(", ?", n-1) + `)`
				for _, id := range chunk {
					args = append(args, id)
				}
			} else {
				// One argument, not one boxed ID per claim (see
				// sqliteInJSON).
				in, args = sqliteInJSON, append(args, jsonInts(chunk))
			}
			if _, err := q.exec(ctx, `UPDATE claims SET `+set+`, updated_at = ?
				WHERE id IN `+in, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// PriorClaim is a claim recorded by an earlier processing of an inbound
// file (see PriorClaimsOfFile).
type PriorClaim struct {
	ID            int64      `db:"id"`
	RawOffset     int64      `db:"raw_offset"`
	ControlNumber string     `db:"control_number"`
	State         ClaimState `db:"state"`
	Reasons       string     `db:"reasons"`
	// Kept is true for a claim whose outcome has gone beyond its file: it
	// was forwarded, replaced or voided, a claim of another file refers to
	// it, or a denial 835 told the submitter of its denial. Reprocessing
	// the file keeps such a claim as it is (its row, number, state and
	// links); ForgetFileResults does not delete it.
	Kept bool `db:"kept"`
}

// priorStates are the states a reprocess may decide again; a claim in any
// other state (forwarded, replaced, voided, ...) is history.
const priorStates = `('received', 'accepted', 'suspect', 'rejected', 'duplicate')`

// keptClaim is the SQL condition, on claims aliased c, that a reprocess
// of c's file must keep claim c.
const keptClaim = `(c.state NOT IN ` + priorStates + ` OR c.denial_remittance_id IS NOT NULL OR EXISTS (SELECT 1 FROM claims r
		WHERE r.replaces_claim_id = c.id AND (r.inbound_file_id <> c.inbound_file_id OR r.state NOT IN ` + priorStates + `)))`

// PriorClaimsOfFile maps the raw offsets of the claims already recorded
// for an inbound file to what reprocessing needs of them: their control
// numbers (every claim gets the number it had) and whether they are kept.
func (q *Queries) PriorClaimsOfFile(ctx context.Context, inboundFileID int64) (map[int64]PriorClaim, error) {
	var rows []PriorClaim
	if err := q.selectAll(ctx, &rows, `SELECT c.id, c.raw_offset, c.control_number, c.state, c.reasons,
			CASE WHEN `+keptClaim+` THEN TRUE ELSE FALSE END AS kept
		FROM claims c WHERE c.inbound_file_id = ?`, inboundFileID); err != nil {
		return nil, fmt.Errorf("store: prior claims of file %d: %w", inboundFileID, err)
	}
	m := make(map[int64]PriorClaim, len(rows))
	for _, r := range rows {
		m[r.RawOffset] = r
	}
	return m, nil
}

// ForgetFileResults deletes what processing an inbound file recorded, so
// that the file can be processed again from the start: its claims (with
// their lines) except the kept ones (PriorClaim.Kept), and its
// interchanges, groups and transactions. An original that a deleted
// replacement or void had replaced or voided is put back in effect (as
// forwarded when it had been forwarded, suspect when it was held as a
// suspect duplicate, accepted otherwise), so the reprocess decides the
// correction again. The file's remittances are forgotten too
// (ForgetRemittancesOfFile). Outbound files are kept: re-enqueueing them under the
// same names is a no-op. Run it in the transaction that reprocesses.
func (q *Queries) ForgetFileResults(ctx context.Context, inboundFileID int64) error {
	return q.atomic(ctx, func(q *Queries) error {
		if err := q.ForgetRemittancesOfFile(ctx, inboundFileID); err != nil {
			return err
		}
		stmts := []string{
			`UPDATE claims SET state = CASE WHEN route_partner <> '' THEN 'forwarded'
					WHEN notes LIKE '%suspect-duplicate%' THEN 'suspect' ELSE 'accepted' END
				WHERE state IN ('replaced', 'voided') AND id IN (SELECT c.replaces_claim_id FROM claims c
					WHERE c.inbound_file_id = ? AND c.replaces_claim_id IS NOT NULL
					AND c.state NOT IN ('rejected', 'duplicate') AND NOT ` + keptClaim + `)`,
			`DELETE FROM claim_lines WHERE claim_id IN (SELECT c.id FROM claims c WHERE c.inbound_file_id = ? AND NOT ` + keptClaim + `)`,
			`DELETE FROM claims WHERE id IN (SELECT c.id FROM claims c WHERE c.inbound_file_id = ? AND NOT ` + keptClaim + `)`,
			`UPDATE claims SET transaction_id = NULL WHERE inbound_file_id = ?`,
			`DELETE FROM transactions WHERE group_id IN (SELECT g.id FROM groups g JOIN interchanges i ON g.interchange_id = i.id WHERE i.inbound_file_id = ?)`,
			`DELETE FROM groups WHERE interchange_id IN (SELECT id FROM interchanges WHERE inbound_file_id = ?)`,
			`DELETE FROM interchanges WHERE inbound_file_id = ?`,
		}
		for _, s := range stmts {
			if _, err := q.exec(ctx, s, inboundFileID); err != nil {
				return fmt.Errorf("store: forget results of file %d: %w", inboundFileID, err)
			}
		}
		return nil
	})
}

// TransitionClaim moves a claim to state to, keeping its reasons (what the
// submitter was told stays in its history), provided it is in one of the
// states from; otherwise it changes nothing and returns ErrConflict
// (another stage changed the claim first).
func (q *Queries) TransitionClaim(ctx context.Context, id int64, to ClaimState, from ...ClaimState) error {
	if to == "" || len(from) == 0 {
		return invalid("claim transition", string(to), "empty target or no source states")
	}
	args := []any{to, q.now(), id}
	for _, f := range from {
		args = append(args, f)
	}
	n, err := q.exec(ctx, `UPDATE claims SET state = ?, updated_at = ? WHERE id = ? AND state IN (?`+strings.Repeat(", ?", len(from)-1)+`)`, args...)
	if err == nil && n == 0 {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: claim %d to %s: %w", id, to, err)
	}
	return nil
}

// ClaimTransition is one claim's move to state To (TransitionClaims).
type ClaimTransition struct {
	ID int64
	To ClaimState
}

// TransitionClaims is TransitionClaim for several claims, each listed at
// most once: each claim in one of the states from moves to its To; if any
// is not, it returns ErrConflict, and the transaction it runs in is to be
// rolled back (the others may have moved). On PostgreSQL it is one
// statement (an 837 set with corrections has several); on SQLite, where a
// statement costs no round trip, one statement per claim.
func (q *Queries) TransitionClaims(ctx context.Context, ts []ClaimTransition, from ...ClaimState) error {
	if len(ts) == 0 {
		return nil
	}
	if q.dialect != DialectPostgres || len(ts) == 1 {
		for _, t := range ts {
			if err := q.TransitionClaim(ctx, t.ID, t.To, from...); err != nil {
				return err
			}
		}
		return nil
	}
	if len(from) == 0 {
		return invalid("claim transition", "", "no source states")
	}
	ids, states := make([]int64, len(ts)), make([]string, len(ts))
	for i, t := range ts {
		if t.To == "" {
			return invalid("claim transition", "", "empty target")
		}
		ids[i], states[i] = t.ID, string(t.To)
	}
	fromStates := make([]string, len(from))
	for i, f := range from {
		fromStates[i] = string(f)
	}
	// A claim listed twice would be updated once: the count below would
	// report a conflict that is not one, so it is refused first.
	if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
		return invalid("claim transition", "", "a claim listed twice")
	}
	n, err := q.exec(ctx, `UPDATE claims SET state = t.state, updated_at = ?
		FROM unnest(CAST(? AS bigint[]), CAST(? AS text[])) AS t(id, state)
		WHERE claims.id = t.id AND claims.state = ANY(CAST(? AS text[]))`,
		q.now(), pq.Array(ids), pq.Array(states), pq.Array(fromStates))
	if err == nil && n != int64(len(ts)) {
		err = ErrConflict
	}
	if err != nil {
		return fmt.Errorf("store: %d claims transitioned: %w", len(ts), err)
	}
	return nil
}

// InterchangeSeenElsewhere reports whether an interchange with the same
// sender, receiver and ISA13 was recorded for another inbound file.
func (q *Queries) InterchangeSeenElsewhere(ctx context.Context, sender, receiver, control string, inboundFileID int64) (bool, error) {
	var n int
	err := q.get(ctx, &n, `SELECT COUNT(*) FROM interchanges
		WHERE sender_id = ? AND receiver_id = ? AND control = ? AND inbound_file_id <> ?`,
		sender, receiver, control, inboundFileID)
	if err != nil {
		return false, fmt.Errorf("store: interchange seen: %w", err)
	}
	return n > 0, nil
}

// ClaimInboundID claims one given inbound file like ClaimInbound does
// (it must be received, or processing with an expired lease). It returns
// ErrNoWork when the file is not claimable.
func (q *Queries) ClaimInboundID(ctx context.Context, id int64, owner string, lease time.Duration) (*InboundFile, error) {
	now := q.now()
	f, err := q.leaseInbound(ctx, owner, lease, now,
		`id = ? AND (state = 'received' OR (state = 'processing' AND lease_until < ?))`, id, now)
	if err != nil && !errors.Is(err, ErrNoWork) {
		return nil, fmt.Errorf("store: claim inbound %d: %w", id, err)
	}
	return f, err
}

// SetClaimsTransaction links claims to the transaction set row they came
// in, leaving their state as it is.
func (q *Queries) SetClaimsTransaction(ctx context.Context, ids []int64, transactionID int64) error {
	if err := q.updateClaims(ctx, ids, `transaction_id = ?`, transactionID); err != nil {
		return fmt.Errorf("store: set claims transaction: %w", err)
	}
	return nil
}

// ClearClaimsTransaction unlinks claims from a transactions row that was
// reserved for them but never recorded.
func (q *Queries) ClearClaimsTransaction(ctx context.Context, ids []int64) error {
	if err := q.updateClaims(ctx, ids, `transaction_id = NULL`); err != nil {
		return fmt.Errorf("store: clear claims transaction: %w", err)
	}
	return nil
}

// FindReplacement returns the accepted replacement or void that acts on
// the claim with the given ID (the newest one), or ErrNotFound.
func (q *Queries) FindReplacement(ctx context.Context, originalID int64) (*Claim, error) {
	c, err := q.oneClaim(ctx, `replaces_claim_id = ? AND state NOT IN ('rejected', 'duplicate') ORDER BY id DESC LIMIT 1`, originalID)
	if err != nil {
		return nil, fmt.Errorf("store: find replacement of %d: %w", originalID, err)
	}
	return c, nil
}

// TryExclusive runs fn while this process holds the cluster-wide lock
// named key, and reports whether it ran: on PostgreSQL a session advisory
// lock (pg_try_advisory_lock) held on one connection for the duration of
// fn, so among several engine processes only one runs fn at a time and the
// others skip; on SQLite (one process) fn simply runs. The lock is released
// when fn returns, or by PostgreSQL if the process dies. Advisory locks
// are database-wide, so the lock is named after the store's schema too:
// engines on other schemas of the same database do not contend.
func (s *Store) TryExclusive(ctx context.Context, key string, fn func() error) (bool, error) {
	if s.dialect != DialectPostgres {
		return true, fn()
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("store: lock %s: %w", key, err)
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtext(current_schema() || ':' || $1))`, key).Scan(&got); err != nil {
		return false, fmt.Errorf("store: lock %s: %w", key, err)
	}
	if !got {
		return false, nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtext(current_schema() || ':' || $1))`, key)
	return true, fn()
}
