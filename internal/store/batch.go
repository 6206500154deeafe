package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Set-based repository methods: one statement for many rows, so that the
// pipeline's cost does not grow with the round trips to the database.

// batchRows is how many rows one multi-row statement carries (its
// parameters stay far below the limits of both engines).
const batchRows = 400

// ForwardMark is what marking one claim forwarded records.
type ForwardMark struct {
	ID int64
	// Method is the pricing method ("" when unpriced).
	Method string
	// Allowed is the repriced amount (nil when unpriced) and Lines the
	// lines' allowed amounts by line number.
	Allowed *int64
	Lines   map[int]int64
}

// MarkForwarded records that the claims were queued to partner in the
// outbound file: state forwarded, bound to the file (outbound_file_id),
// route partner, pricing method and allowed amounts. Only claims still in
// effect and not bound to a file yet change (accepted or suspect): if any
// is not, nothing is changed for it and ErrConflict is returned, and the
// caller's transaction must roll back (another stage changed the claim
// first: a correction replaced it). Call it in the transaction that queues
// the file.
func (q *Queries) MarkForwarded(ctx context.Context, outboundID int64, partner string, marks []ForwardMark) error {
	now := q.now()
	err := q.atomic(ctx, func(q *Queries) error {
		for start := 0; start < len(marks); start += batchRows {
			chunk := marks[start:min(start+batchRows, len(marks))]
			var vals []string
			args := []any{outboundID, partner, now}
			for _, m := range chunk {
				vals = append(vals, "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT))")
				args = append(args, m.ID, m.Method, m.Allowed)
			}
			args = append(args, outboundID)
			n, err := q.exec(ctx, `UPDATE claims SET state = 'forwarded', outbound_file_id = ?, route_partner = ?, updated_at = ?,
					pricing_method = v.column2, allowed_cents = v.column3
				FROM (VALUES `+strings.Join(vals, ", ")+`) AS v
				WHERE claims.id = v.column1 AND claims.state IN ('accepted', 'suspect')
				AND (claims.outbound_file_id IS NULL OR claims.outbound_file_id = ?)`, args...)
			if err != nil {
				return err
			}
			if int(n) != len(chunk) {
				return fmt.Errorf("%d of %d claims no longer accepted or already bound: %w", len(chunk)-int(n), len(chunk), ErrConflict)
			}
		}
		type line struct {
			claim   int64
			no      int
			allowed int64
		}
		var lines []line
		for _, m := range marks {
			for no, a := range m.Lines {
				lines = append(lines, line{m.ID, no, a})
			}
		}
		sort.Slice(lines, func(i, j int) bool {
			if lines[i].claim != lines[j].claim {
				return lines[i].claim < lines[j].claim
			}
			return lines[i].no < lines[j].no
		})
		for start := 0; start < len(lines); start += batchRows {
			chunk := lines[start:min(start+batchRows, len(lines))]
			var vals []string
			var args []any
			for _, l := range chunk {
				vals = append(vals, "(CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT))")
				args = append(args, l.claim, l.no, l.allowed)
			}
			n, err := q.exec(ctx, `UPDATE claim_lines SET allowed_cents = v.column3
				FROM (VALUES `+strings.Join(vals, ", ")+`) AS v
				WHERE claim_lines.claim_id = v.column1 AND claim_lines.line_no = v.column2`, args...)
			if err != nil {
				return err
			}
			if int(n) != len(chunk) {
				return fmt.Errorf("%d of %d claim lines unknown: %w", len(chunk)-int(n), len(chunk), ErrNotFound)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: mark claims forwarded to %s: %w", partner, err)
	}
	return nil
}
