package store

import (
	"context"
	"fmt"
)

// InboundStat counts the inbound files of one partner in one state.
type InboundStat struct {
	PartnerID string       `db:"partner_id" json:"partner_id"`
	State     InboundState `db:"state" json:"state"`
	Count     int64        `db:"n" json:"count"`
}

// OutboundStat counts the outbound files of one partner and kind in one
// state.
type OutboundStat struct {
	PartnerID string        `db:"partner_id" json:"partner_id"`
	Kind      string        `db:"kind" json:"kind"`
	State     OutboundState `db:"state" json:"state"`
	Count     int64         `db:"n" json:"count"`
}

// ClaimStat counts the claims in one state.
type ClaimStat struct {
	State ClaimState `db:"state" json:"state"`
	Count int64      `db:"n" json:"count"`
}

// Stats are the row counts of the work tables by state: what the queues
// hold right now. A (partner, kind,) state with no row is absent, not
// zero. Stats carry partner IDs, kinds and states only, never claim or
// member data.
type Stats struct {
	// Inbound counts inbound_files by partner and state.
	Inbound []InboundStat `json:"inbound"`
	// Outbound counts outbound_files by partner, kind and state.
	Outbound []OutboundStat `json:"outbound"`
	// Claims counts claims by state (not by partner: the claims table is
	// the large one, and this count reads all of it).
	Claims []ClaimStat `json:"claims"`
}

// CountByState returns the row counts of inbound_files, outbound_files and
// claims by state, with one GROUP BY query each (not in one transaction:
// the three counts may be a moment apart). Meant for monitoring; give ctx
// a deadline, as counting a large claims table takes a while.
func (q *Queries) CountByState(ctx context.Context) (Stats, error) {
	var s Stats
	if err := q.selectAll(ctx, &s.Inbound,
		`SELECT partner_id, state, COUNT(*) AS n FROM inbound_files GROUP BY partner_id, state ORDER BY partner_id, state`); err != nil {
		return Stats{}, fmt.Errorf("store: count inbound files: %w", err)
	}
	if err := q.selectAll(ctx, &s.Outbound,
		`SELECT partner_id, kind, state, COUNT(*) AS n FROM outbound_files GROUP BY partner_id, kind, state ORDER BY partner_id, kind, state`); err != nil {
		return Stats{}, fmt.Errorf("store: count outbound files: %w", err)
	}
	if err := q.selectAll(ctx, &s.Claims,
		`SELECT state, COUNT(*) AS n FROM claims GROUP BY state ORDER BY state`); err != nil {
		return Stats{}, fmt.Errorf("store: count claims: %w", err)
	}
	return s, nil
}

// Ping checks that the database answers a query (SELECT 1) before ctx
// ends. On SQLite the Store's one connection may be busy with a
// transaction of another caller; Ping then waits for it, up to ctx.
func (q *Queries) Ping(ctx context.Context) error {
	var one int
	if err := q.get(ctx, &one, `SELECT 1`); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}
