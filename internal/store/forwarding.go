package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ClaimClosed is the final state of a void the forwarder never sends: its
// original was never forwarded, so the partner has nothing to void (note
// "original-never-forwarded"). A closed claim is not in effect and is
// never picked again.
const ClaimClosed ClaimState = "closed"

// ErrOutboundClaims means an outbound file already queued under a name
// holds other claims than the ones being queued under it.
var ErrOutboundClaims = errors.New("store: outbound file already queued with other claims")

// forwardCandidate is the condition on claims the forwarder may send:
// accepted or suspect, set settled (a transaction ID), not yet bound to an
// outbound file.
const forwardCandidate = `state IN ('accepted', 'suspect') AND transaction_id IS NOT NULL AND outbound_file_id IS NULL`

// ForwardCandidates returns up to limit claims (default 100, at most
// 1000) the forwarder may send, oldest first, with their lines: state
// accepted or suspect, set settled (a transaction ID), not yet bound to an
// outbound file, and with an ID above afterID. inboundFileID > 0 keeps one
// inbound file's claims.
func (q *Queries) ForwardCandidates(ctx context.Context, inboundFileID, afterID int64, limitN int) ([]Claim, error) {
	query := `SELECT ` + claimCols + ` FROM claims
		WHERE ` + forwardCandidate + ` AND id > ?`
	args := []any{afterID}
	if inboundFileID > 0 {
		query += ` AND inbound_file_id = ?`
		args = append(args, inboundFileID)
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, limit(limitN))
	var cs []Claim
	if err := q.selectAll(ctx, &cs, query, args...); err != nil {
		return nil, fmt.Errorf("store: forward candidates: %w", err)
	}
	for i := range cs {
		cs[i].normalize()
	}
	if len(cs) > 0 {
		if err := q.loadLines(ctx, cs); err != nil {
			return nil, fmt.Errorf("store: forward candidates: %w", err)
		}
	}
	return cs, nil
}

// ForwardCandidateFiles returns up to limit inbound file IDs (default 100,
// at most 1000) above afterID that hold forward candidates (as
// ForwardCandidates selects them), ascending.
func (q *Queries) ForwardCandidateFiles(ctx context.Context, afterID int64, limitN int) ([]int64, error) {
	var ids []int64
	err := q.selectAll(ctx, &ids, `SELECT DISTINCT inbound_file_id FROM claims
		WHERE `+forwardCandidate+` AND inbound_file_id > ?
		ORDER BY inbound_file_id LIMIT ?`, afterID, limit(limitN))
	if err != nil {
		return nil, fmt.Errorf("store: forward candidate files: %w", err)
	}
	return ids, nil
}

// BindClaimsToOutbound records that the claims are in the outbound file
// (claims.outbound_file_id), so the forwarder never batches them again.
// Call it in the transaction that queues the file. A claim already bound
// to another file returns ErrOutboundClaims and, in a transaction, must
// roll it back; an unknown claim returns ErrNotFound.
func (q *Queries) BindClaimsToOutbound(ctx context.Context, outboundID int64, claimIDs []int64) error {
	now := q.now()
	err := q.atomic(ctx, func(q *Queries) error {
		for _, id := range claimIDs {
			n, err := q.exec(ctx, `UPDATE claims SET outbound_file_id = ?, updated_at = ?
				WHERE id = ? AND (outbound_file_id IS NULL OR outbound_file_id = ?)`, outboundID, now, id, outboundID)
			if err != nil {
				return err
			}
			if n == 0 {
				if _, err := q.GetClaim(ctx, id); err != nil {
					return err
				}
				return fmt.Errorf("claim %d: %w", id, ErrOutboundClaims)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: bind claims to outbound %d: %w", outboundID, err)
	}
	return nil
}

// ClaimIDsOfOutbound returns the IDs of the claims bound to an outbound
// file, ascending. No index covers outbound_file_id on PostgreSQL (so that
// binding a claim is a HOT update, migration 020): this reads the claims
// table, and is meant for the forwarder's rare check of a file name queued
// again.
func (q *Queries) ClaimIDsOfOutbound(ctx context.Context, outboundID int64) ([]int64, error) {
	var ids []int64
	if err := q.selectAll(ctx, &ids, `SELECT id FROM claims WHERE outbound_file_id = ? ORDER BY id`, outboundID); err != nil {
		return nil, fmt.Errorf("store: claims of outbound %d: %w", outboundID, err)
	}
	return ids, nil
}

// OutboundFileOfClaim returns the ID of the outbound file a claim was
// queued in, or nil.
func (q *Queries) OutboundFileOfClaim(ctx context.Context, claimID int64) (*int64, error) {
	var id *int64
	if err := q.get(ctx, &id, `SELECT outbound_file_id FROM claims WHERE id = ?`, claimID); err != nil {
		return nil, fmt.Errorf("store: outbound file of claim %d: %w", claimID, err)
	}
	return id, nil
}

// AppendClaimNote adds note to a claim's ";"-separated Notes unless it is
// there already, and bumps UpdatedAt. An unknown claim returns
// ErrNotFound.
func (q *Queries) AppendClaimNote(ctx context.Context, id int64, note string) error {
	if note == "" || strings.Contains(note, ";") {
		return invalid("note", note, "empty or holds ';'")
	}
	err := q.atomic(ctx, func(q *Queries) error {
		var notes string
		if err := q.get(ctx, &notes, `SELECT notes FROM claims WHERE id = ?`, id); err != nil {
			return err
		}
		list := splitList(notes)
		if slices.Contains(list, note) {
			return nil
		}
		_, err := q.exec(ctx, `UPDATE claims SET notes = ?, updated_at = ? WHERE id = ?`,
			strings.Join(append(list, note), ";"), q.now(), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: note claim %d: %w", id, err)
	}
	return nil
}

// ClaimLink is one claim of a correction chain, as the forwarder needs it.
type ClaimLink struct {
	ID              int64      `db:"id"`
	ControlNumber   string     `db:"control_number"`
	State           ClaimState `db:"state"`
	Frequency       string     `db:"frequency"`
	ReplacesClaimID *int64     `db:"replaces_claim_id"`
	RoutePartner    string     `db:"route_partner"`
	OutboundFileID  *int64     `db:"outbound_file_id"`
}

// Forwarded reports whether the claim was sent to a partner: it is bound
// to an outbound file or, for claims forwarded before claims were bound
// (migration 008), has a route partner.
func (l ClaimLink) Forwarded() bool { return l.OutboundFileID != nil || l.RoutePartner != "" }

// maxChain bounds CorrectionChain (a guard against a cycle in the links).
const maxChain = 1000

// CorrectionChain returns the claims a correction acts on, nearest first:
// the claim its replaces_claim_id names, the claim that one replaces, and
// so on to the first original. A claim without a link returns an empty
// chain.
func (q *Queries) CorrectionChain(ctx context.Context, claimID int64) ([]ClaimLink, error) {
	chains, err := q.CorrectionChains(ctx, []int64{claimID})
	if err != nil {
		return nil, err
	}
	return chains[claimID], nil
}

// CorrectionChains is CorrectionChain for many claims at once (the
// forwarder's corrections of one candidate window): every chain in one
// statement per batchRows claims, by index probes whatever the planner
// statistics. A claim without a link has an empty chain; an unknown claim,
// or a link to one, returns ErrNotFound.
func (q *Queries) CorrectionChains(ctx context.Context, claimIDs []int64) (map[int64][]ClaimLink, error) {
	acc := chains{out: make(map[int64][]ClaimLink, len(claimIDs)), next: make(map[int64]*int64, len(claimIDs))}
	for start := 0; start < len(claimIDs); start += batchRows {
		chunk := claimIDs[start:min(start+batchRows, len(claimIDs))]
		// The anchor is each claim itself (depth 0), so that an unknown
		// claim is told from one without a link.
		var err error
		if q.dialect == DialectPostgres {
			err = q.scanRows(ctx, func(rows *sql.Rows) error {
				var root int64
				var depth int
				var l ClaimLink
				if err := rows.Scan(&root, &depth, &l.ID, &l.ControlNumber, &l.State, &l.Frequency, &l.ReplacesClaimID, &l.RoutePartner, &l.OutboundFileID); err != nil {
					return err
				}
				return acc.add(root, depth, l)
			}, `WITH RECURSIVE chain (root, depth, id, control_number, state, frequency, replaces_claim_id, route_partner, outbound_file_id) AS (
				SELECT c.id, 0, c.id, c.control_number, c.state, c.frequency, c.replaces_claim_id, c.route_partner, c.outbound_file_id
				FROM unnest(CAST(? AS bigint[])) AS k(id)
				CROSS JOIN LATERAL (SELECT `+chainCols+` FROM claims WHERE id = k.id) c
				UNION ALL
				SELECT chain.root, chain.depth + 1, c.id, c.control_number, c.state, c.frequency, c.replaces_claim_id, c.route_partner, c.outbound_file_id
				FROM chain CROSS JOIN LATERAL (SELECT `+chainCols+` FROM claims WHERE id = chain.replaces_claim_id) c
				WHERE chain.depth <= `+strconv.Itoa(maxChain)+`)
				SELECT root, depth, `+chainCols+` FROM chain ORDER BY root, depth`, pq.Array(chunk))
		} else {
			// Read as one JSON value (queryJSONRows), not a scan per link.
			var ints intBlock
			err = q.queryJSONRows(ctx, func(r *jsonRows) error {
				root, depth := r.int(), int(r.int())
				l := ClaimLink{ID: r.int(), ControlNumber: r.str(), State: ClaimState(r.str()), Frequency: r.str(),
					ReplacesClaimID: ints.opt(r), RoutePartner: r.str(), OutboundFileID: ints.opt(r)}
				return acc.add(root, depth, l)
			}, `WITH RECURSIVE chain (root, depth, id, control_number, state, frequency, replaces_claim_id, route_partner, outbound_file_id) AS (
				SELECT id, 0, `+chainCols+` FROM claims WHERE id IN `+sqliteInJSON+`
				UNION ALL
				SELECT chain.root, chain.depth + 1, c.id, c.control_number, c.state, c.frequency, c.replaces_claim_id, c.route_partner, c.outbound_file_id
				FROM chain JOIN claims c ON c.id = chain.replaces_claim_id
				WHERE chain.depth <= `+strconv.Itoa(maxChain)+`)
				SELECT json_group_array(json_array(root, depth, `+chainCols+`) ORDER BY root, depth) FROM chain`, jsonInts(chunk))
		}
		if err == nil {
			err = acc.check(chunk)
		}
		if err != nil {
			return nil, fmt.Errorf("store: correction chains of %d claims: %w", len(chunk), err)
		}
	}
	return acc.out, nil
}

// chains collects the rows of CorrectionChains' query: each claim itself
// (depth 0) and then the links of its chain, in order.
type chains struct {
	out  map[int64][]ClaimLink
	next map[int64]*int64 // by claim: the link its last row names
}

func (c *chains) add(root int64, depth int, l ClaimLink) error {
	switch {
	case depth == 0:
		c.out[root] = nil
	case depth > maxChain:
		return fmt.Errorf("correction chain of claim %d: longer than %d links", root, maxChain)
	default:
		c.out[root] = append(c.out[root], l)
	}
	c.next[root] = l.ReplacesClaimID
	return nil
}

// check reports a claim of ids that was not found, or whose chain ends in
// a link to a claim that is not there.
func (c *chains) check(ids []int64) error {
	for _, id := range ids {
		if _, ok := c.out[id]; !ok {
			return fmt.Errorf("claim %d: %w", id, ErrNotFound)
		}
		if c.next[id] != nil {
			return fmt.Errorf("correction chain of claim %d: link to claim %d: %w", id, *c.next[id], ErrNotFound)
		}
	}
	return nil
}

// chainCols are the columns of a ClaimLink.
const chainCols = `id, control_number, state, frequency, replaces_claim_id, route_partner, outbound_file_id`

// CloseClaims gives claims the state ClaimClosed (their reasons kept)
// and adds note to their notes as AppendClaimNote does, in one statement
// per batchRows claims on PostgreSQL. An unknown claim returns
// ErrNotFound; call it in a transaction.
func (q *Queries) CloseClaims(ctx context.Context, claimIDs []int64, note string) error {
	if note == "" || strings.Contains(note, ";") {
		return invalid("note", note, "empty or holds ';'")
	}
	if q.dialect != DialectPostgres {
		for _, id := range claimIDs {
			n, err := q.exec(ctx, `UPDATE claims SET state = ?, updated_at = ? WHERE id = ?`, ClaimClosed, q.now(), id)
			if err == nil && n == 0 {
				err = ErrNotFound
			}
			if err == nil {
				err = q.AppendClaimNote(ctx, id, note)
			}
			if err != nil {
				return fmt.Errorf("store: close claim %d: %w", id, err)
			}
		}
		return nil
	}
	for start := 0; start < len(claimIDs); start += batchRows {
		chunk := claimIDs[start:min(start+batchRows, len(claimIDs))]
		n, err := q.exec(ctx, `UPDATE claims SET state = ?, updated_at = ?, notes = `+appendNoteSQL("claims.notes", "n.note")+`
			FROM (SELECT CAST(? AS text) AS note) AS n
			WHERE claims.id = ANY(CAST(? AS bigint[]))`, ClaimClosed, q.now(), note, pq.Array(chunk))
		if err == nil && n != int64(len(chunk)) {
			err = fmt.Errorf("%d unknown: %w", int64(len(chunk))-n, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: close %d claims: %w", len(chunk), err)
		}
	}
	return nil
}

// ForwardCandidatesByOffset returns up to limit (at most 5000) of one
// inbound file's forward candidates (as ForwardCandidates selects them)
// whose raw offset is above afterOffset, in raw-offset order (file order):
// the forwarder reads a file once and fetches its candidates as the read
// reaches them. Only what forwarding reads is filled in (the claims are
// re-read from the spooled file): ID, InboundFileID, ControlNumber,
// CLM01, ClaimType, Frequency, Reasons, PayerID, MemberTPA, RawOffset,
// RawLength, and Lines with their ClaimID and LineNo only.
func (q *Queries) ForwardCandidatesByOffset(ctx context.Context, inboundFileID, afterOffset int64, limitN int) ([]Claim, error) {
	if limitN <= 0 || limitN > 5000 {
		limitN = 5000
	}
	if q.dialect != DialectPostgres {
		return q.forwardCandidatesByOffsetSQLite(ctx, inboundFileID, afterOffset, limitN)
	}
	var cs []Claim
	// Scanned by hand (as selectAll would scan them, without a reflected
	// value per row): a window holds thousands of rows.
	err := q.scanRows(ctx, func(rows *sql.Rows) error {
		cs = append(cs, Claim{InboundFileID: inboundFileID})
		c := &cs[len(cs)-1]
		return rows.Scan(&c.ID, &c.ControlNumber, &c.CLM01, &c.ClaimType, &c.Frequency, &c.Reasons, &c.PayerID, &c.MemberTPA,
			&c.RawOffset, &c.RawLength)
	}, `SELECT id, control_number, clm01, claim_type, frequency, reasons, payer_id, member_tpa, raw_offset, raw_length
		FROM claims
		WHERE inbound_file_id = ? AND raw_offset > ?
		AND `+forwardCandidate+`
		ORDER BY inbound_file_id, raw_offset LIMIT ?`, inboundFileID, afterOffset, limitN)
	if err != nil {
		return nil, fmt.Errorf("store: forward candidates of file %d: %w", inboundFileID, err)
	}
	if len(cs) > 0 {
		if err := q.loadLineNumbers(ctx, cs); err != nil {
			return nil, fmt.Errorf("store: forward candidates of file %d: %w", inboundFileID, err)
		}
	}
	return cs, nil
}

// forwardCandidatesByOffsetSQLite is ForwardCandidatesByOffset on SQLite:
// the window's claims and then their line numbers each come as one JSON
// value (queryJSONRows), not as a driver value per column and row.
func (q *Queries) forwardCandidatesByOffsetSQLite(ctx context.Context, inboundFileID, afterOffset int64, limitN int) ([]Claim, error) {
	var cs []Claim
	err := q.queryJSONRows(ctx, func(r *jsonRows) error {
		cs = append(cs, Claim{InboundFileID: inboundFileID})
		c := &cs[len(cs)-1]
		c.ID, c.ControlNumber, c.CLM01, c.ClaimType, c.Frequency = r.int(), r.str(), r.str(), r.str(), r.str()
		c.Reasons, c.PayerID, c.MemberTPA, c.RawOffset, c.RawLength = r.str(), r.str(), r.str(), r.int(), r.int()
		return nil
	}, `SELECT json_group_array(json_array(id, control_number, clm01, claim_type, frequency, reasons, payer_id, member_tpa,
			raw_offset, raw_length) ORDER BY raw_offset)
		FROM (SELECT id, control_number, clm01, claim_type, frequency, reasons, payer_id, member_tpa, raw_offset, raw_length
			FROM claims
			WHERE inbound_file_id = ? AND raw_offset > ?
			AND `+forwardCandidate+`
			ORDER BY inbound_file_id, raw_offset LIMIT ?)`, inboundFileID, afterOffset, limitN)
	if err == nil && len(cs) > 0 {
		err = q.loadLineNumbers(ctx, cs)
	}
	if err != nil {
		return nil, fmt.Errorf("store: forward candidates of file %d: %w", inboundFileID, err)
	}
	return cs, nil
}

// loadLineNumbers sets the Lines of cs to their line numbers (ClaimID and
// LineNo only), in line order.
func (q *Queries) loadLineNumbers(ctx context.Context, cs []Claim) error {
	byID := make(map[int64]*Claim, len(cs))
	lo, hi := cs[0].ID, cs[0].ID
	for i := range cs {
		byID[cs[i].ID] = &cs[i]
		cs[i].Lines = nil
		lo, hi = min(lo, cs[i].ID), max(hi, cs[i].ID)
	}
	// One range scan of the (claim_id, line_no) key: a window's claims
	// were inserted together, so their IDs are (nearly) contiguous; lines
	// of other claims in the range are skipped below. An IN list of
	// thousands of IDs made PostgreSQL read the whole table.
	scattered := hi-lo >= 4*int64(len(cs)) // claims kept by a reprocess, other engines' files in between
	if q.dialect != DialectPostgres {
		// SQLite: the line numbers read as one JSON value, by the range or
		// by a JSON array of the IDs.
		const head = `SELECT json_group_array(json_array(claim_id, line_no) ORDER BY claim_id, line_no) FROM claim_lines `
		query, args := head+`WHERE claim_id BETWEEN ? AND ?`, []any{lo, hi}
		if scattered {
			ids := make([]int64, len(cs))
			for i := range cs {
				ids[i] = cs[i].ID
			}
			query, args = head+`WHERE claim_id IN `+sqliteInJSON, []any{jsonInts(ids)}
		}
		var lines []ClaimLine
		err := q.queryJSONRows(ctx, func(r *jsonRows) error {
			lines = append(lines, ClaimLine{})
			l := &lines[len(lines)-1]
			l.ClaimID, l.LineNo = r.int(), int(r.int())
			return nil
		}, query, args...)
		if err != nil {
			return fmt.Errorf("load line numbers: %w", err)
		}
		attachLines(byID, lines)
		return nil
	}
	query, args := `SELECT claim_id, line_no FROM claim_lines
		WHERE claim_id BETWEEN ? AND ? ORDER BY claim_id, line_no`, []any{lo, hi}
	if scattered {
		// Ask for these IDs only.
		ids := make([]int64, len(cs))
		for i := range cs {
			ids[i] = cs[i].ID
		}
		var err error
		if query, args, err = sqlx.In(`SELECT claim_id, line_no FROM claim_lines WHERE claim_id IN (?) ORDER BY claim_id, line_no`, ids); err != nil {
			return err
		}
	}
	var lines []ClaimLine
	err := q.scanRows(ctx, func(rows *sql.Rows) error {
		lines = append(lines, ClaimLine{})
		l := &lines[len(lines)-1]
		return rows.Scan(&l.ClaimID, &l.LineNo)
	}, query, args...)
	if err != nil {
		return fmt.Errorf("load line numbers: %w", err)
	}
	attachLines(byID, lines)
	return nil
}

// attachLines sets the Lines of the claims in byID from lines, read
// ordered by claim: each claim's lines are a run of them (no copy).
func attachLines(byID map[int64]*Claim, lines []ClaimLine) {
	for i := 0; i < len(lines); {
		j := i + 1
		for j < len(lines) && lines[j].ClaimID == lines[i].ClaimID {
			j++
		}
		if c := byID[lines[i].ClaimID]; c != nil {
			c.Lines = lines[i:j:j]
		}
		i = j
	}
}

// scanRows runs a query (with ? placeholders) as selectAll does and calls
// scan for each row of the result.
func (q *Queries) scanRows(ctx context.Context, scan func(*sql.Rows) error, query string, args ...any) error {
	ext, err := q.conn(ctx)
	if err != nil {
		return err
	}
	query = q.rebind(query)
	st, err := q.stmt(ctx, query, len(args))
	if err != nil {
		return err
	}
	var rows *sql.Rows
	if st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = ext.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}
