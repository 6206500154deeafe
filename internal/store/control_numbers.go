package store

import (
	"context"
	"fmt"
)

// MaxControlNumber is the largest value NextControlNumber returns: ISA13
// has nine digits. The sequence wraps to 1 after it.
const MaxControlNumber = 999_999_999

// Control number kinds commonly used with NextControlNumber. Any non-empty
// string works; each (partner, kind) pair is its own sequence.
const (
	// ControlISA numbers interchanges (ISA13/IEA02).
	ControlISA = "ISA"
	// ControlGS numbers functional groups (GS06/GE02).
	ControlGS = "GS"
	// ControlST numbers transaction sets (ST02/SE02).
	ControlST = "ST"
	// ControlClaim numbers the clearinghouse's payer claim control numbers.
	ControlClaim = "CLAIM"
)

// NextControlNumber returns the next value of the (partnerID, kind)
// sequence, starting at 1 and wrapping to 1 after MaxControlNumber. It is
// one atomic upsert, so concurrent callers in any number of processes
// never get the same value, and the value is persisted before it is
// returned. Inside a transaction that rolls back, the value is given back.
// partnerID is only a scope key (it need not be a partners row): use ""
// for sequences the clearinghouse shares across partners.
func (q *Queries) NextControlNumber(ctx context.Context, partnerID, kind string) (int64, error) {
	if kind == "" {
		return 0, invalid("control number kind", kind, "empty")
	}
	var v int64
	err := q.get(ctx, &v, `INSERT INTO control_numbers (partner_id, kind, last_value, updated_at)
		VALUES (?, ?, 1, ?)
		ON CONFLICT (partner_id, kind) DO UPDATE SET
			last_value = CASE WHEN control_numbers.last_value >= ? THEN 1
				ELSE control_numbers.last_value + 1 END,
			updated_at = excluded.updated_at
		RETURNING last_value`, partnerID, kind, q.now(), int64(MaxControlNumber))
	if err != nil {
		return 0, fmt.Errorf("store: next control number %s/%s: %w", partnerID, kind, err)
	}
	return v, nil
}
