package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
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
	// Note, when not empty, is added to the claim's notes as
	// AppendClaimNote adds it (unless the claim has it already).
	Note string
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
	for _, m := range marks {
		if m.Note != "" && strings.Contains(m.Note, ";") {
			return invalid("note", m.Note, "holds ';'")
		}
	}
	if q.dialect != DialectPostgres {
		err := q.atomic(ctx, func(q *Queries) error {
			if err := q.markForwardedSQLite(ctx, outboundID, partner, now, marks); err != nil {
				return err
			}
			for _, m := range marks {
				if m.Note != "" {
					if err := q.AppendClaimNote(ctx, m.ID, m.Note); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store: mark claims forwarded to %s: %w", partner, err)
		}
		return nil
	}
	err := q.atomic(ctx, func(q *Queries) error {
		for start := 0; start < len(marks); start += batchRows {
			chunk := marks[start:min(start+batchRows, len(marks))]
			var vals []string
			args := []any{outboundID, partner, now}
			for _, m := range chunk {
				vals = append(vals, "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT))")
				args = append(args, m.ID, m.Method, m.Allowed, m.Note)
			}
			args = append(args, outboundID)
			// The note goes in with the rest (one row version per claim),
			// as AppendClaimNote would add it.
			n, err := q.exec(ctx, `UPDATE claims SET state = 'forwarded', outbound_file_id = ?, route_partner = ?, updated_at = ?,
					pricing_method = v.column2, allowed_cents = v.column3, notes = `+appendNoteSQL("claims.notes", "v.column4")+`
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

// appendNoteSQL is the PostgreSQL expression of notes (a column) with
// note (an expression) added as AppendClaimNote adds it: unchanged when
// note is empty or already one of the ";"-separated notes.
func appendNoteSQL(notes, note string) string {
	return `CASE WHEN ` + note + ` = '' OR position(';' || ` + note + ` || ';' IN ';' || ` + notes + ` || ';') > 0 THEN ` + notes +
		` WHEN ` + notes + ` = '' THEN ` + note + ` ELSE ` + notes + ` || ';' || ` + note + ` END`
}

// SQLite MarkForwarded statements: claims per UPDATE of claims (five
// parameters each) and lines per UPDATE of claim_lines (five each). Full
// chunks use one cached statement per transaction; the rest of a batch
// goes in a statement of its own size.
const (
	sqliteMarkRows     = 32
	sqliteMarkLineRows = 64
)

// markForwardedSQLite is MarkForwarded on SQLite, in a transaction. Its
// UPDATE … FROM (VALUES …) cost SQLite far more than an UPDATE per row,
// and an UPDATE per row (a claim and each of its lines) cost about seven
// allocations in database/sql and the driver; so each statement updates a
// chunk of rows by their keys (IN lists, which SQLite looks up by key) and
// takes each row's values from a CASE on its key.
func (q *Queries) markForwardedSQLite(ctx context.Context, outboundID int64, partner string, now time.Time, marks []ForwardMark) error {
	// Arguments every row shares, and values that recur (methods,
	// amounts), are boxed once (see argBoxes); each claim ID is boxed
	// once for all its uses.
	var bx argBoxes
	outboundArg, partnerArg, nowArg := any(outboundID), any(partner), any(now)
	ids := make([]any, 0, sqliteMarkRows)
	args := make([]any, 0, 5*sqliteMarkLineRows)
	var lines []any // claim ID, line number, allowed amount: 3 per line
	for start := 0; start < len(marks); start += sqliteMarkRows {
		chunk := marks[start:min(start+sqliteMarkRows, len(marks))]
		ids = ids[:0]
		for _, m := range chunk {
			ids = append(ids, any(m.ID))
		}
		args = append(args[:0], outboundArg, partnerArg, nowArg)
		for i, m := range chunk {
			args = append(args, ids[i], bx.str(m.Method))
		}
		for i, m := range chunk {
			args = append(args, ids[i], bx.opt(m.Allowed))
		}
		args = append(args, ids...)
		args = append(args, outboundArg)
		query := sqliteMarkClaims
		if len(chunk) < sqliteMarkRows {
			query = markClaimsSQLite(len(chunk))
		}
		n, err := q.execRows(ctx, query, len(chunk) == sqliteMarkRows, args)
		if err != nil {
			return err
		}
		if int(n) != len(chunk) {
			return fmt.Errorf("%d of %d claims no longer accepted or already bound: %w", len(chunk)-int(n), len(chunk), ErrConflict)
		}
		for i, m := range chunk {
			for no, a := range m.Lines {
				lines = append(lines, ids[i], int64(no), bx.int(a))
				if len(lines) == 3*sqliteMarkLineRows {
					if err := q.markLinesSQLite(ctx, lines, args); err != nil {
						return err
					}
					lines = lines[:0]
				}
			}
		}
	}
	if len(lines) > 0 {
		return q.markLinesSQLite(ctx, lines, args)
	}
	return nil
}

// markLinesSQLite sets the allowed amounts of lines (claim ID, line
// number and amount, three values per line), using args as its scratch
// space.
func (q *Queries) markLinesSQLite(ctx context.Context, lines, args []any) error {
	rows := len(lines) / 3
	args = args[:0]
	for i := 0; i < len(lines); i += 3 {
		args = append(args, lines[i:i+3]...)
	}
	for i := 0; i < len(lines); i += 3 {
		args = append(args, lines[i:i+2]...)
	}
	query := sqliteMarkLines
	if rows < sqliteMarkLineRows {
		query = markLinesSQLite(rows)
	}
	n, err := q.execRows(ctx, query, rows == sqliteMarkLineRows, args)
	if err != nil {
		return err
	}
	if int(n) != rows {
		return fmt.Errorf("%d of %d claim lines unknown: %w", rows-int(n), rows, ErrNotFound)
	}
	return nil
}

// markClaimsSQLite is the UPDATE of claims MarkForwarded runs on SQLite
// for rows claims: outbound file, partner and time; then ID and method,
// ID and allowed amount for each claim; each claim ID; the outbound file.
func markClaimsSQLite(rows int) string {
	var b strings.Builder
	b.WriteString(`UPDATE claims SET state = 'forwarded', outbound_file_id = ?, route_partner = ?, updated_at = ?,
	pricing_method = CASE id`)
	b.WriteString(strings.Repeat(" WHEN ? THEN ?", rows))
	b.WriteString(` END, allowed_cents = CASE id`)
	b.WriteString(strings.Repeat(" WHEN ? THEN ?", rows))
	b.WriteString(` END
	WHERE id IN (`)
	b.WriteString(strings.TrimSuffix(strings.Repeat("?, ", rows), ", "))
	b.WriteString(`) AND state IN ('accepted', 'suspect') AND (outbound_file_id IS NULL OR outbound_file_id = ?)`)
	return b.String()
}

// markLinesSQLite is the UPDATE of claim_lines MarkForwarded runs on
// SQLite for rows lines: claim ID, line number and allowed amount for each
// line, then claim ID and line number for each line.
func markLinesSQLite(rows int) string {
	return `UPDATE claim_lines SET allowed_cents = CASE` + strings.Repeat(" WHEN claim_id = ? AND line_no = ? THEN ?", rows) + ` END
	WHERE (claim_id, line_no) IN (VALUES ` + valuesList(rows, 2) + `)`
}

var (
	sqliteMarkClaims = markClaimsSQLite(sqliteMarkRows)
	sqliteMarkLines  = markLinesSQLite(sqliteMarkLineRows)
)

// inArgs turns values into "?, ?, ..." and its arguments.
func inArgs[T any](vs []T) (string, []any) {
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(vs)), ", "), args
}

// sqliteInJSON is an IN list of the values of one argument, a JSON array
// of strings (jsonArray): on SQLite the lookups by many keys take one
// argument, not one per key (each boxed as database/sql takes them), and
// their statement stays the same however many keys there are, so it is
// prepared once. SQLite looks the keys up in the column's index as it
// does those of a list of parameters.
const sqliteInJSON = `(SELECT value FROM json_each(?))`

// jsonArray is vs as a JSON array (the argument of sqliteInJSON).
func jsonArray(vs []string) string {
	b, err := json.Marshal(vs)
	if err != nil {
		panic(err) // a []string always marshals
	}
	return string(b)
}

// jsonInts is ids as a JSON array (the argument of sqliteInJSON).
func jsonInts(ids []int64) string {
	b := make([]byte, 0, 2+8*len(ids))
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// The PostgreSQL lookups of claims by many keys (a text array), one
// index probe per key whatever the planner statistics: the newest claim
// of each fingerprint and the 100 newest of each suspect key, neither
// rejected nor a duplicate, and the claim of each control number.
// SetCandidates runs the three as one statement.
const (
	pgLatestByFingerprints = `SELECT c.* FROM unnest(CAST(? AS text[])) AS k(fp)
		CROSS JOIN LATERAL (SELECT ` + claimCols + ` FROM claims
			WHERE fingerprint = k.fp AND state NOT IN ('rejected', 'duplicate')
			ORDER BY id DESC LIMIT 1) c`
	pgBySuspectKeys = `SELECT c.* FROM unnest(CAST(? AS text[])) AS k(sk)
		CROSS JOIN LATERAL (SELECT ` + claimCols + ` FROM claims
			WHERE suspect_key = k.sk AND state NOT IN ('rejected', 'duplicate')
			ORDER BY id DESC LIMIT 100) c`
	pgByControls = `SELECT c.* FROM unnest(CAST(? AS text[])) AS k(cn)
		CROSS JOIN LATERAL (SELECT ` + claimCols + ` FROM claims WHERE control_number = k.cn LIMIT 1) c`
)

// LatestByFingerprints returns, for each fingerprint that has one, the
// newest claim (without lines) carrying it that is not itself rejected or a
// duplicate: FindByFingerprint for many fingerprints at once.
func (q *Queries) LatestByFingerprints(ctx context.Context, fps []string) (map[string]*Claim, error) {
	out := make(map[string]*Claim, len(fps))
	// One backward scan of (fingerprint, id) per key on PostgreSQL: the
	// plan does not depend on statistics (an IN list over a table the
	// planner knows nothing about is taken for half the table and scanned).
	err := q.claimsByKeys(ctx, fps, pgLatestByFingerprints,
		sqliteClaimsJSON(`fingerprint IN `+sqliteInJSON+` AND state NOT IN ('rejected', 'duplicate')`, ""),
		func(cs []Claim) error {
			for i := range cs {
				c := &cs[i]
				if old := out[c.Fingerprint]; old == nil || old.ID < c.ID {
					out[c.Fingerprint] = c
				}
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: find by fingerprints: %w", err)
	}
	return out, nil
}

// SetCandidates reads what the intake rules compare an 837 set's claims
// with: the newest claim of each fingerprint (LatestByFingerprints), the
// claims of each suspect key with their lines (FindBySuspectKeys), and the
// claims corrections name by control number (ClaimsByControls). On
// PostgreSQL the three are one statement, and the suspects' lines a
// second, when each list fits in batchRows keys (a set's claims do, but
// for the largest sets): two round trips a set instead of four.
func (q *Queries) SetCandidates(ctx context.Context, fps, keys, controls []string) (byFP map[string]*Claim, bySK map[string][]Claim, named map[string]*Claim, err error) {
	if q.dialect != DialectPostgres || len(fps) > batchRows || len(keys) > batchRows || len(controls) > batchRows {
		if byFP, err = q.LatestByFingerprints(ctx, fps); err != nil {
			return nil, nil, nil, err
		}
		if bySK, err = q.FindBySuspectKeys(ctx, keys); err != nil {
			return nil, nil, nil, err
		}
		if named, err = q.ClaimsByControls(ctx, controls); err != nil {
			return nil, nil, nil, err
		}
		return byFP, bySK, named, nil
	}
	// Each part is what the function it stands for reads; a claim may come
	// out of several, and is sorted into each map below by its own
	// columns: the newest claim of a fingerprint is among the rows (the
	// first part has it), and so are the 100 newest of a suspect key
	// (the second part), since every part's claims of that fingerprint or
	// key pass the same state filter or are left out below.
	rows, err := q.selectClaims(ctx, pgLatestByFingerprints+` UNION ALL `+pgBySuspectKeys+` UNION ALL `+pgByControls,
		pq.Array(fps), pq.Array(keys), pq.Array(controls))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: set candidates: %w", err)
	}
	wantFP, wantSK, wantCN := stringSet(fps), stringSet(keys), stringSet(controls)
	byFP, named = make(map[string]*Claim, len(fps)), make(map[string]*Claim, len(controls))
	var suspects []Claim
	seen := make(map[int64]bool, len(rows))
	for i := range rows {
		c := &rows[i]
		if seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		if wantCN[c.ControlNumber] {
			cp := *c
			named[c.ControlNumber] = &cp
		}
		if c.State == ClaimRejected || c.State == ClaimDuplicate {
			continue
		}
		if wantFP[c.Fingerprint] {
			if old := byFP[c.Fingerprint]; old == nil || old.ID < c.ID {
				cp := *c
				byFP[c.Fingerprint] = &cp
			}
		}
		if wantSK[c.SuspectKey] {
			suspects = append(suspects, *c)
		}
	}
	bySK = make(map[string][]Claim, len(keys))
	if len(suspects) > 0 {
		if err := q.loadLines(ctx, suspects); err != nil {
			return nil, nil, nil, fmt.Errorf("store: set candidates: %w", err)
		}
		slices.SortFunc(suspects, func(a, b Claim) int { return cmp.Compare(b.ID, a.ID) })
		for _, c := range suspects {
			if len(bySK[c.SuspectKey]) < 100 {
				bySK[c.SuspectKey] = append(bySK[c.SuspectKey], c)
			}
		}
	}
	return byFP, bySK, named, nil
}

// stringSet is the set of vs.
func stringSet(vs []string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// claimsByKeys reads claims by many keys, batchRows keys a statement, and
// hands fn each statement's claims: pgQuery takes the keys as one text
// array (PostgreSQL), sqliteQuery (made by sqliteClaimsJSON) as one JSON
// array (SQLite).
func (q *Queries) claimsByKeys(ctx context.Context, keys []string, pgQuery, sqliteQuery string, fn func([]Claim) error) error {
	for start := 0; start < len(keys); start += batchRows {
		chunk := keys[start:min(start+batchRows, len(keys))]
		var cs []Claim
		var err error
		if q.dialect == DialectPostgres {
			cs, err = q.selectClaims(ctx, pgQuery, pq.Array(chunk))
		} else {
			cs, err = q.selectClaimsJSON(ctx, sqliteQuery, jsonArray(chunk))
		}
		if err != nil {
			return err
		}
		if err := fn(cs); err != nil {
			return err
		}
	}
	return nil
}

// FindBySuspectKeys is FindBySuspectKey for many keys at once: per key the
// claims not rejected or duplicates, newest first, at most 100, with their
// lines.
func (q *Queries) FindBySuspectKeys(ctx context.Context, keys []string) (map[string][]Claim, error) {
	out := make(map[string][]Claim, len(keys))
	err := q.claimsByKeys(ctx, keys, pgBySuspectKeys+` ORDER BY c.id DESC`,
		sqliteClaimsJSON(`suspect_key IN `+sqliteInJSON+` AND state NOT IN ('rejected', 'duplicate')`, "id DESC"),
		func(cs []Claim) error {
			if len(cs) == 0 {
				return nil
			}
			if err := q.loadLines(ctx, cs); err != nil {
				return err
			}
			for _, c := range cs {
				if len(out[c.SuspectKey]) < 100 {
					out[c.SuspectKey] = append(out[c.SuspectKey], c)
				}
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: find by suspect keys: %w", err)
	}
	return out, nil
}

// ClaimsByControls is GetClaimByControl for many control numbers at once,
// without the lines: the claims found, by control number (numbers not
// found are absent).
func (q *Queries) ClaimsByControls(ctx context.Context, controls []string) (map[string]*Claim, error) {
	out := make(map[string]*Claim, len(controls))
	// LIMIT 1 (control numbers are unique) keeps the PostgreSQL subquery a
	// probe of the unique index per key: without it the planner flattens
	// the join and, planning the cached statement while the table is still
	// small, hashes the keys against a scan of the whole table, which then
	// grows with every set of the file (issue #11: 23 ms a set at 100 k
	// claims).
	err := q.claimsByKeys(ctx, controls, pgByControls,
		sqliteClaimsJSON(`control_number IN `+sqliteInJSON, ""),
		func(cs []Claim) error {
			for i := range cs {
				out[cs[i].ControlNumber] = &cs[i]
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: get claims by control: %w", err)
	}
	return out, nil
}

// FindMembersByIDs is FindMembersByID for many member IDs at once: the
// rows of every ID found, oldest first (IDs not found are absent).
func (q *Queries) FindMembersByIDs(ctx context.Context, ids []string) (map[string][]Member, error) {
	return q.findMembersIn(ctx, "member_id", ids, func(m *Member) string { return m.MemberID })
}

// FindMembersByFamilies is FindMembersByFamily for many families at once.
func (q *Queries) FindMembersByFamilies(ctx context.Context, families []string) (map[string][]Member, error) {
	return q.findMembersIn(ctx, "family_id", families, func(m *Member) string { return m.FamilyID })
}

// FindMembersByIDStems is FindMembersByIDStem for many stems at once: the
// rows whose member ID is a stem plus a 2-digit suffix, by stem.
func (q *Queries) FindMembersByIDStems(ctx context.Context, stems []string) (map[string][]Member, error) {
	return q.findMembersIn(ctx, "member_id_stem", stems, func(m *Member) string { return MemberIDStem(m.MemberID) })
}

// FindMembersByFoldedIDs is FindMembersByFoldedID for many IDs at once,
// keyed by the upper-cased ID.
func (q *Queries) FindMembersByFoldedIDs(ctx context.Context, ids []string) (map[string][]Member, error) {
	folded := make([]string, len(ids))
	for i, id := range ids {
		folded[i] = strings.ToUpper(strings.TrimSpace(id))
	}
	return q.findMembersIn(ctx, "member_id_fold", folded, func(m *Member) string { return strings.ToUpper(m.MemberID) })
}

// sqliteMemberCols are memberCols with the timestamps read as text (see
// textTime).
const sqliteMemberCols = `id, member_id, family_id, relationship, birth_seq, last_name, first_name, middle,
	dob, gender, coverage_start, coverage_end, plan, group_number, tpa, source, +created_at, +updated_at,
	coverage_level, insurance_type`

// sqliteMemberJSONCols are the columns membersJSON reads, in its order.
const sqliteMemberJSONCols = `id, member_id, family_id, relationship, birth_seq, last_name, first_name, middle,
	dob, gender, coverage_start, coverage_end, plan, group_number, tpa, source, created_at, updated_at,
	coverage_level, insurance_type`

// membersJSON reads roster rows on SQLite from a query of
// sqliteMemberJSONCols rows as one JSON value (queryJSONRows). Each row
// is copied out of the result on its own (jsonRows.detach): a roster
// cache keeps rows long after the query, and a row must not keep the
// whole result alive.
func (q *Queries) membersJSON(ctx context.Context, query string, args ...any) ([]Member, error) {
	var ms []Member
	err := q.queryJSONRows(ctx, func(r *jsonRows) error {
		r.detach()
		ms = append(ms, Member{})
		m := &ms[len(ms)-1]
		m.ID, m.MemberID, m.FamilyID, m.Relationship, m.BirthSeq = r.int(), r.str(), r.str(), r.str(), r.str()
		m.LastName, m.FirstName, m.Middle, m.DOB, m.Gender = r.str(), r.str(), r.str(), r.str(), r.str()
		m.CoverageStart, m.CoverageEnd, m.Plan, m.GroupNumber, m.TPA = r.str(), r.str(), r.str(), r.str(), r.str()
		m.Source, m.CreatedAt, m.UpdatedAt, m.CoverageLevel, m.InsuranceType = r.str(), r.time(), r.time(), r.str(), r.str()
		return nil
	}, query, args...)
	return ms, err
}

func (q *Queries) findMembersIn(ctx context.Context, col string, values []string, key func(*Member) string) (map[string][]Member, error) {
	out := make(map[string][]Member, len(values))
	var clean []string
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			clean = append(clean, v)
		}
	}
	for start := 0; start < len(clean); start += batchRows {
		chunk := clean[start:min(start+batchRows, len(clean))]
		var ms []Member
		// Scanned by hand (without a reflected value per row), the
		// timestamps from their text on SQLite (see textTime).
		scan := func(rows *sql.Rows) error {
			ms = append(ms, Member{})
			m := &ms[len(ms)-1]
			return rows.Scan(&m.ID, &m.MemberID, &m.FamilyID, &m.Relationship, &m.BirthSeq, &m.LastName, &m.FirstName, &m.Middle,
				&m.DOB, &m.Gender, &m.CoverageStart, &m.CoverageEnd, &m.Plan, &m.GroupNumber, &m.TPA, &m.Source,
				textTime{&m.CreatedAt}, textTime{&m.UpdatedAt}, &m.CoverageLevel, &m.InsuranceType)
		}
		var err error
		if q.dialect == DialectPostgres {
			// One index lookup per value, whatever the statistics (an IN
			// list is planned as a scan of the whole roster without them).
			err = q.scanRows(ctx, scan, `SELECT m.* FROM unnest(CAST(? AS text[])) AS k(v)
				CROSS JOIN LATERAL (SELECT `+memberCols+` FROM members WHERE `+col+` = k.v) m
				ORDER BY m.id`, pq.Array(chunk))
		} else {
			ms, err = q.membersJSON(ctx, `SELECT json_group_array(json_array(`+sqliteMemberJSONCols+`) ORDER BY id)
				FROM members WHERE `+col+` IN `+sqliteInJSON, jsonArray(chunk))
		}
		if err != nil {
			return nil, fmt.Errorf("store: find members by %s: %w", col, err)
		}
		// Each key's rows are a run of ms (ID order) where they are
		// contiguous, as they usually are (no copy); a key's later runs
		// are appended to a copy.
		for i := 0; i < len(ms); {
			ms[i].normalize()
			k := key(&ms[i])
			j := i + 1
			for ; j < len(ms) && key(&ms[j]) == k; j++ {
				ms[j].normalize()
			}
			if prev, ok := out[k]; ok {
				out[k] = append(prev[:len(prev):len(prev)], ms[i:j]...)
			} else {
				out[k] = ms[i:j:j]
			}
			i = j
		}
	}
	return out, nil
}

// InsertClaims inserts claims and their lines like InsertClaim, many at a
// time: inside a transaction on PostgreSQL their IDs are drawn in one
// query and rows are streamed with COPY; on SQLite their IDs are numbered
// on from the table's sequence (the transaction holds the only write lock)
// and rows go in multi-row INSERTs (insertClaimsSQLite). Outside a
// transaction claims are inserted one by one (InsertClaim). Line IDs are
// not set by the batched paths.
func (q *Queries) InsertClaims(ctx context.Context, cs []*Claim) error {
	if len(cs) == 0 {
		return nil
	}
	if q.tx == nil || len(cs) < 4 {
		for _, c := range cs {
			if err := q.InsertClaim(ctx, c); err != nil {
				return err
			}
		}
		return nil
	}
	if q.dialect != DialectPostgres {
		return q.insertClaimsSQLite(ctx, cs)
	}
	for _, c := range cs {
		if err := c.validate(); err != nil {
			return fmt.Errorf("store: insert claim %s: %w", c.ControlNumber, err)
		}
	}
	var ids []int64
	if err := q.selectAll(ctx, &ids, `SELECT nextval(pg_get_serial_sequence('claims', 'id')) FROM generate_series(1, ?)`, len(cs)); err != nil {
		return fmt.Errorf("store: insert claims: %w", err)
	}
	if len(ids) != len(cs) {
		return fmt.Errorf("store: insert claims: %d ids for %d claims", len(ids), len(cs))
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	now := q.now()
	tx := q.tx.sqlTx
	stmt, err := tx.PrepareContext(ctx, pq.CopyIn("claims", "id", "transaction_id", "inbound_file_id", "partner_id", "control_number",
		"clm01", "claim_type", "frequency", "ref_f8", "replaces_claim_id", "state", "reasons", "billed_cents", "allowed_cents",
		"payer_id", "submitter_id", "billing_npi", "billing_tin", "member_id", "patient_last", "patient_first", "patient_dob",
		"service_from", "service_to", "fingerprint", "suspect_key", "raw_offset", "raw_length", "created_at", "updated_at",
		"notes", "related_control", "member_tpa"))
	if err != nil {
		return fmt.Errorf("store: insert claims: %w", err)
	}
	for i, c := range cs {
		if _, err := stmt.ExecContext(ctx, ids[i], c.TransactionID, c.InboundFileID, c.PartnerID, c.ControlNumber,
			c.CLM01, c.ClaimType, c.Frequency, c.RefF8, c.ReplacesClaimID, c.State, c.Reasons, c.BilledCents, c.AllowedCents,
			c.PayerID, c.SubmitterID, c.BillingNPI, c.BillingTIN, c.MemberID, c.PatientLast, c.PatientFirst, c.PatientDOB,
			c.ServiceFrom, c.ServiceTo, c.Fingerprint, c.SuspectKey, c.RawOffset, c.RawLength, now, now,
			c.Notes, c.RelatedControl, c.MemberTPA); err != nil {
			stmt.Close()
			return fmt.Errorf("store: insert claims: %w", copyErr(err))
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return fmt.Errorf("store: insert claims: %w", copyErr(err))
	}
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("store: insert claims: %w", err)
	}
	lstmt, err := tx.PrepareContext(ctx, pq.CopyIn("claim_lines", "claim_id", "line_no", "code", "modifiers", "units", "unit_type",
		"charge_cents", "allowed_cents", "service_from", "service_to", "revenue_code"))
	if err != nil {
		return fmt.Errorf("store: insert claim lines: %w", err)
	}
	for i, c := range cs {
		c.ID, c.CreatedAt, c.UpdatedAt = ids[i], now, now
		for j := range c.Lines {
			l := &c.Lines[j]
			l.ClaimID = c.ID
			if _, err := lstmt.ExecContext(ctx, c.ID, l.LineNo, l.Code, l.Modifiers, l.Units, l.UnitType,
				l.ChargeCents, l.AllowedCents, l.ServiceFrom, l.ServiceTo, l.RevenueCode); err != nil {
				lstmt.Close()
				return fmt.Errorf("store: insert claim lines: %w", copyErr(err))
			}
		}
	}
	if _, err := lstmt.ExecContext(ctx); err != nil {
		lstmt.Close()
		return fmt.Errorf("store: insert claim lines: %w", copyErr(err))
	}
	return lstmt.Close()
}

// claimInsertCols are the columns InsertClaims writes on SQLite, id first
// and the two timestamps last.
const claimInsertCols = `id, transaction_id, inbound_file_id, partner_id, control_number, clm01, claim_type,
	frequency, ref_f8, replaces_claim_id, state, reasons, billed_cents, allowed_cents, payer_id,
	submitter_id, billing_npi, billing_tin, member_id, patient_last, patient_first, patient_dob,
	service_from, service_to, fingerprint, suspect_key, raw_offset, raw_length,
	notes, related_control, member_tpa, created_at, updated_at`

// sqliteClaimInsertSQL is the multi-row INSERT of rows claims on SQLite:
// the timestamps, the same for every row, are two parameters of the
// statement (the driver formats a time for every parameter it binds), then
// 31 parameters per claim.
func sqliteClaimInsertSQL(rows int) string {
	return `INSERT INTO claims (` + claimInsertCols + `) SELECT *, ?, ? FROM (VALUES ` + valuesList(rows, 31) + `)`
}

// SQLite multi-row INSERTs: claims per statement (31 parameters each) and
// lines per statement (11 each), far below SQLite's 32 766 parameters.
// Full chunks use one cached statement per transaction; the rest of a
// batch goes in a statement of its own size.
const (
	sqliteClaimRows = 32
	sqliteLineRows  = 64
)

// insertClaimsSQLite is InsertClaims on SQLite in a transaction. One
// statement per row cost more in the driver and database/sql (a result
// set, its scan and close per row) than SQLite's own insert; the rows now
// go in multi-row INSERTs with IDs numbered after the larger of the
// AUTOINCREMENT sequence and the largest ID (what SQLite itself would
// assign: IDs of deleted claims are not reused), which inserting them
// moves on.
func (q *Queries) insertClaimsSQLite(ctx context.Context, cs []*Claim) error {
	for _, c := range cs {
		if err := c.validate(); err != nil {
			return fmt.Errorf("store: insert claim %s: %w", c.ControlNumber, err)
		}
	}
	var last int64
	if err := q.get(ctx, &last, `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'claims'), 0),
		COALESCE((SELECT MAX(id) FROM claims), 0))`); err != nil {
		return fmt.Errorf("store: insert claims: %w", err)
	}
	now := q.now()
	// Values that recur from row to row (partner, state, codes, dates) are
	// boxed once (see argBoxes); the driver sees the same values.
	var bx argBoxes
	var err error
	if jsonClaimText(cs) {
		err = q.insertClaimRowsJSON(ctx, cs, last, now)
	} else {
		err = q.insertClaimRowsArgs(ctx, cs, last, now, &bx)
	}
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("store: insert claims: %w: %v", ErrConflict, err)
		}
		return fmt.Errorf("store: insert claims: %w", err)
	}
	for i, c := range cs {
		c.ID, c.CreatedAt, c.UpdatedAt = last+int64(i)+1, now, now
		for j := range c.Lines {
			c.Lines[j].ClaimID = c.ID
		}
	}
	args := make([]any, 0, sqliteLineRows*11)
	rows := 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		query := sqliteLineInsert
		if rows < sqliteLineRows {
			query = sqliteLineInsertHead + valuesList(rows, 11)
		}
		if _, err := q.execRows(ctx, query, rows == sqliteLineRows, args); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("store: insert claim lines: %w: %v", ErrConflict, err)
			}
			return fmt.Errorf("store: insert claim lines: %w", err)
		}
		args, rows = args[:0], 0
		return nil
	}
	for _, c := range cs {
		var id any
		if len(c.Lines) > 0 {
			id = any(c.ID) // boxed once for the claim's lines
		}
		for j := range c.Lines {
			l := &c.Lines[j]
			args = append(args, id, l.LineNo, bx.str(l.Code), bx.str(l.Modifiers), bx.int(l.Units), bx.str(l.UnitType),
				bx.int(l.ChargeCents), bx.opt(l.AllowedCents), bx.str(l.ServiceFrom), bx.str(l.ServiceTo), bx.str(l.RevenueCode))
			if rows++; rows == sqliteLineRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// insertClaimRowsArgs inserts the rows of cs (not their lines) in
// multi-row INSERTs of sqliteClaimRows rows, a parameter per value, with
// IDs numbered after last.
func (q *Queries) insertClaimRowsArgs(ctx context.Context, cs []*Claim, last int64, now time.Time, bx *argBoxes) error {
	nowArg := any(now)
	args := make([]any, 0, 2+sqliteClaimRows*31)
	for start := 0; start < len(cs); start += sqliteClaimRows {
		chunk := cs[start:min(start+sqliteClaimRows, len(cs))]
		args = append(args[:0], nowArg, nowArg) // created_at, updated_at
		for i, c := range chunk {
			args = append(args, last+int64(start+i)+1, bx.opt(c.TransactionID), bx.int(c.InboundFileID), bx.str(c.PartnerID), c.ControlNumber,
				c.CLM01, bx.str(c.ClaimType), bx.str(c.Frequency), bx.str(c.RefF8), bx.opt(c.ReplacesClaimID), bx.str(string(c.State)),
				bx.str(c.Reasons), c.BilledCents, bx.opt(c.AllowedCents),
				bx.str(c.PayerID), bx.str(c.SubmitterID), bx.str(c.BillingNPI), bx.str(c.BillingTIN), c.MemberID, c.PatientLast,
				c.PatientFirst, c.PatientDOB, bx.str(c.ServiceFrom), bx.str(c.ServiceTo), c.Fingerprint, c.SuspectKey, c.RawOffset,
				c.RawLength, bx.str(c.Notes), bx.str(c.RelatedControl), bx.str(c.MemberTPA))
		}
		query := sqliteClaimInsert
		if len(chunk) < sqliteClaimRows {
			query = sqliteClaimInsertSQL(len(chunk))
		}
		if _, err := q.execRows(ctx, query, len(chunk) == sqliteClaimRows, args); err != nil {
			return err
		}
	}
	return nil
}

// argBoxes boxes the argument values of multi-row statements that recur
// from row to row once each: database/sql takes arguments as interfaces,
// and boxing a string or an integer outside 0..255 allocates every time.
// A boxed value is the same value (a named string type is boxed as a
// plain string, which is what database/sql converts it to). The zero value
// is ready to use.
type argBoxes struct {
	strs map[string]any
	ints map[int64]any
}

// maxArgBoxes bounds each map of argBoxes (a column whose values do not
// recur must not make it grow without end).
const maxArgBoxes = 1024

func (b *argBoxes) str(s string) any {
	if s == "" {
		return "" // boxing "" does not allocate
	}
	if v, ok := b.strs[s]; ok {
		return v
	}
	if b.strs == nil || len(b.strs) >= maxArgBoxes {
		b.strs = make(map[string]any, 64)
	}
	v := any(s)
	b.strs[s] = v
	return v
}

// opt is an optional integer as database/sql passes it on: NULL for nil,
// else the integer.
func (b *argBoxes) opt(p *int64) any {
	if p == nil {
		return nil
	}
	return b.int(*p)
}

func (b *argBoxes) int(n int64) any {
	if n >= 0 && n < 256 {
		return n // boxing a small integer does not allocate
	}
	if v, ok := b.ints[n]; ok {
		return v
	}
	if b.ints == nil || len(b.ints) >= maxArgBoxes {
		b.ints = make(map[int64]any, 64)
	}
	v := any(n)
	b.ints[n] = v
	return v
}

// The multi-row INSERTs of full chunks.
const sqliteLineInsertHead = `INSERT INTO claim_lines (claim_id, line_no, code, modifiers, units, unit_type, charge_cents, allowed_cents,
	service_from, service_to, revenue_code) VALUES `

var (
	sqliteClaimInsert = sqliteClaimInsertSQL(sqliteClaimRows)
	sqliteLineInsert  = sqliteLineInsertHead + valuesList(sqliteLineRows, 11)
)

// valuesList is "(?, …), (?, …)…": rows tuples of cols placeholders.
func valuesList(rows, cols int) string {
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(tuple+", ", rows), ", ")
}

// execRows runs a multi-row statement; cache keeps its prepared statement
// for the rest of the transaction (a full chunk, whose shape recurs).
// It returns the number of rows the statement affected.
func (q *Queries) execRows(ctx context.Context, query string, cache bool, args []any) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var st *sqlx.Stmt
	if cache && q.tx != nil {
		var err error
		if st, err = q.tx.stmts.get(ctx, query, q.tx.sqlTx.PreparexContext); err != nil {
			return 0, err
		}
	}
	var res sql.Result
	var err error
	if st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = q.ext.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// copyErr maps a unique violation in a COPY to ErrConflict.
func copyErr(err error) error {
	if isUniqueViolation(err) {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}

// Analyze refreshes the planner statistics of the tables bulk work grows
// (claims, their lines, the file queues) and returns the estimated number
// of claims. On PostgreSQL with autovacuum off (or lagging behind a large
// nightly load) a planner without statistics picks plans whose cost grows
// with the table for every lookup; the engine calls this as claims pile
// up. On SQLite it does nothing and returns -1.
func (q *Queries) Analyze(ctx context.Context) (int64, error) {
	if q.dialect != DialectPostgres {
		return -1, nil
	}
	if _, err := q.ext.ExecContext(ctx, `ANALYZE claims, claim_lines, inbound_files, outbound_files`); err != nil {
		return 0, fmt.Errorf("store: analyze: %w", err)
	}
	var n float64
	if err := q.get(ctx, &n, `SELECT reltuples FROM pg_class WHERE oid = 'claims'::regclass`); err != nil {
		return 0, fmt.Errorf("store: analyze: %w", err)
	}
	return int64(n), nil
}

// AnalyzeMembers refreshes the planner statistics of the member roster
// after a bulk import (PostgreSQL; nothing on SQLite).
func (q *Queries) AnalyzeMembers(ctx context.Context) error {
	if q.dialect != DialectPostgres {
		return nil
	}
	if _, err := q.ext.ExecContext(ctx, `ANALYZE members`); err != nil {
		return fmt.Errorf("store: analyze members: %w", err)
	}
	return nil
}
