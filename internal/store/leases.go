package store

import (
	"context"
	"fmt"
)

// releaseOutbound is the update that hands a delivering file back to the
// queue, claimable now: pending again, or failed when an earlier attempt
// failed (its error is kept). Attempts is not changed: the attempt that
// held the lease counts.
const releaseOutbound = `UPDATE outbound_files
	SET state = CASE WHEN error = '' THEN 'pending' ELSE 'failed' END,
		available_at = ?, lease_owner = '', lease_until = NULL
	WHERE state = 'delivering' AND lease_owner = ?`

// ReleaseOutboundLeases hands every outbound file leased to owner back to
// the queue, claimable at once, and returns how many there were. An engine
// instance calls it when it starts, before it delivers anything: a lease
// still held under its own name was left by an earlier run of the same
// instance that was killed (its upload is dead, and a temp file it left is
// overwritten by the next attempt), so waiting for the lease to expire
// would only delay the partner's files. Owner names must therefore never
// be shared by two live processes.
func (q *Queries) ReleaseOutboundLeases(ctx context.Context, owner string) (int64, error) {
	if owner == "" {
		return 0, invalid("lease owner", owner, "empty")
	}
	n, err := q.exec(ctx, releaseOutbound, q.now(), owner)
	if err != nil {
		return 0, fmt.Errorf("store: release outbound leases of %s: %w", owner, err)
	}
	return n, nil
}

// ReleaseOutbound hands one file leased to owner back to the queue,
// claimable at once, without recording a failure (the attempt was not
// made). It returns ErrLeaseLost if owner no longer holds the file.
func (q *Queries) ReleaseOutbound(ctx context.Context, id int64, owner string) error {
	n, err := q.exec(ctx, releaseOutbound+` AND id = ?`, q.now(), owner, id)
	if err == nil && n == 0 {
		err = q.leaseLost(ctx, "outbound_files", id)
	}
	if err != nil {
		return fmt.Errorf("store: release outbound %d: %w", id, err)
	}
	return nil
}

// ReleaseInboundLeases ends every lease owner holds on inbound files, for
// an engine starting again under the same name: what it was processing
// when it died is claimable at once instead of when the lease expires.
// The interrupted attempts still count (a file that kills the engine
// every time ends quarantined). It returns how many files it released.
func (q *Queries) ReleaseInboundLeases(ctx context.Context, owner string) (int64, error) {
	if owner == "" {
		return 0, invalid("lease owner", owner, "empty")
	}
	n, err := q.exec(ctx, `UPDATE inbound_files SET state = 'received', lease_owner = '', lease_until = NULL
		WHERE state = 'processing' AND lease_owner = ?`, owner)
	if err != nil {
		return 0, fmt.Errorf("store: release inbound leases of %s: %w", owner, err)
	}
	return n, nil
}

// LeaseOwners lists the owners holding leases (expired or not) on inbound
// files being processed and outbound files being delivered.
func (q *Queries) LeaseOwners(ctx context.Context) ([]string, error) {
	var owners []string
	if err := q.selectAll(ctx, &owners, `SELECT lease_owner FROM inbound_files
			WHERE state = 'processing' AND lease_owner <> ''
		UNION SELECT lease_owner FROM outbound_files
			WHERE state = 'delivering' AND lease_owner <> ''
		ORDER BY 1`); err != nil {
		return nil, fmt.Errorf("store: lease owners: %w", err)
	}
	return owners, nil
}
