package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MemberKey is the natural key of a roster member, following the 834
// import logic: the family (REF*0F subscriber identifier), the
// relationship to the subscriber (INS02, "18" self), the birth sequence
// (INS17, "" when not sent) and the member ID the person is identified by
// on claims. A CSV roster row is its own family: FamilyID = MemberID,
// Relationship "18". Every field is PHI-adjacent: never log a key.
type MemberKey struct {
	FamilyID     string
	Relationship string
	BirthSeq     string
	MemberID     string
}

// Member is one enrolled person on the roster. Dates are X12 text
// CCYYMMDD; CoverageStart "" means no known start (no lower bound) and
// CoverageEnd "" means open-ended coverage. Names, IDs and dates are PHI
// and must never be logged.
type Member struct {
	// ID is assigned by UpsertMember.
	ID int64 `db:"id"`
	// MemberID is the ID claims carry in 2010BA NM109, exactly as sent
	// (outer spaces trimmed, case preserved).
	MemberID string `db:"member_id"`
	// FamilyID is the subscriber identifier (834 REF*0F), the same on the
	// subscriber and every dependent.
	FamilyID string `db:"family_id"`
	// Relationship is INS02: "18" self (the subscriber), "01" spouse,
	// "19" child, ... Default "18".
	Relationship string `db:"relationship"`
	// BirthSeq is INS17, the birth sequence of a dependent ("" if unsent).
	BirthSeq string `db:"birth_seq"`
	// LastName, FirstName and Middle are the name exactly as enrolled.
	LastName  string `db:"last_name"`
	FirstName string `db:"first_name"`
	Middle    string `db:"middle"`
	// DOB is the date of birth, CCYYMMDD or "".
	DOB string `db:"dob"`
	// Gender is F, M, U or "".
	Gender string `db:"gender"`
	// CoverageStart and CoverageEnd bound the coverage, both inclusive.
	CoverageStart string `db:"coverage_start"`
	CoverageEnd   string `db:"coverage_end"`
	// Plan is the plan or insurance line (CSV plan, 834 HD04 else HD03).
	Plan string `db:"plan"`
	// GroupNumber is the group or policy number (CSV group, 834 REF*1L).
	GroupNumber string `db:"group_number"`
	// CoverageLevel is the 271 EB02 coverage level (IND, FAM, EMP, ESP,
	// ECH, CHD, DEP, SPC, SPO: CSV coverage_level, 834 HD05); "" unknown.
	CoverageLevel string `db:"coverage_level"`
	// InsuranceType is the 271 EB04 insurance type (C1 commercial, PR PPO,
	// HM HMO, EP EPO, PS POS, ...: CSV insurance_type); "" unknown.
	InsuranceType string `db:"insurance_type"`
	// TPA is the administrator the roster came from; full-snapshot
	// imports term absent members per TPA.
	TPA string `db:"tpa"`
	// Source names the import that last wrote the row (file name and
	// digest prefix).
	Source string `db:"source"`
	// CreatedAt and UpdatedAt are set by the store (UTC).
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// Key returns the member's natural key.
func (m *Member) Key() MemberKey {
	return MemberKey{FamilyID: m.FamilyID, Relationship: m.Relationship, BirthSeq: m.BirthSeq, MemberID: m.MemberID}
}

// Covers reports whether the coverage includes every day from from to to
// (CCYYMMDD, inclusive; to "" means from).
func (m *Member) Covers(from, to string) bool {
	if to == "" {
		to = from
	}
	if m.CoverageStart != "" && from < m.CoverageStart {
		return false
	}
	return m.CoverageEnd == "" || to <= m.CoverageEnd
}

// sameContent reports whether the stored fields of a and b are equal
// (ignoring ID, Source and the timestamps).
func (m *Member) sameContent(o *Member) bool {
	a, b := *m, *o
	a.ID, b.ID = 0, 0
	a.Source, b.Source = "", ""
	a.CreatedAt, b.CreatedAt = time.Time{}, time.Time{}
	a.UpdatedAt, b.UpdatedAt = time.Time{}, time.Time{}
	return a == b
}

func (m *Member) normalize() {
	m.CreatedAt = utc(m.CreatedAt)
	m.UpdatedAt = utc(m.UpdatedAt)
}

// MemberChange says what UpsertMember did.
type MemberChange string

// UpsertMember outcomes.
const (
	// MemberAdded: a new row was inserted.
	MemberAdded MemberChange = "added"
	// MemberChanged: the existing row with the same key was updated.
	MemberChanged MemberChange = "changed"
	// MemberUnchanged: the existing row already held these values; nothing
	// was written.
	MemberUnchanged MemberChange = "unchanged"
)

const memberCols = `id, member_id, family_id, relationship, birth_seq, last_name, first_name, middle,
	dob, gender, coverage_start, coverage_end, plan, group_number, tpa, source, created_at, updated_at,
	coverage_level, insurance_type`

// MemberIDStem returns id without its trailing 2-digit suffix, or "" when
// id does not end in two digits after at least one other character. The
// eligibility check uses it to recognise an ID that differs from a roster
// ID only by a person/dependent suffix.
func MemberIDStem(id string) string {
	n := len(id)
	if n < 3 || !isDigit(id[n-1]) || !isDigit(id[n-2]) {
		return ""
	}
	return id[:n-2]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// checkMember normalises and validates m before a write. Values are not
// echoed in errors: they are PHI.
func checkMember(m *Member) error {
	m.MemberID = strings.TrimSpace(m.MemberID)
	m.FamilyID = strings.TrimSpace(m.FamilyID)
	if m.MemberID == "" {
		return invalid("member id", "", "empty")
	}
	if m.FamilyID == "" {
		m.FamilyID = m.MemberID
	}
	if m.Relationship == "" {
		m.Relationship = "18"
	}
	switch m.Gender {
	case "", "F", "M", "U":
	default:
		return invalid("gender", "", "want F, M, U or empty")
	}
	for _, d := range []struct{ f, v string }{
		{"dob", m.DOB}, {"coverage start", m.CoverageStart}, {"coverage end", m.CoverageEnd},
	} {
		if err := checkDate(d.f, d.v); err != nil {
			return err
		}
	}
	return nil
}

// UpsertMember inserts m, or updates the row with the same [MemberKey],
// and returns the stored row and what happened. A row whose values already
// equal m's is left untouched (MemberUnchanged: UpdatedAt and Source keep
// their old values). MemberID is required; FamilyID defaults to MemberID
// and Relationship to "18". ID and the timestamps of m are ignored.
func (q *Queries) UpsertMember(ctx context.Context, m Member) (*Member, MemberChange, error) {
	if err := checkMember(&m); err != nil {
		return nil, "", err
	}
	var (
		out    *Member
		change MemberChange
	)
	err := q.atomic(ctx, func(q *Queries) error {
		old, err := q.getMember(ctx, m.Key())
		switch {
		case errors.Is(err, ErrNotFound):
			now := q.now()
			var row Member
			err := q.get(ctx, &row, `INSERT INTO members
				(member_id, member_id_fold, member_id_stem, family_id, relationship, birth_seq,
				 last_name, first_name, middle, dob, gender, coverage_start, coverage_end,
				 plan, group_number, tpa, source, created_at, updated_at, coverage_level, insurance_type)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				RETURNING `+memberCols,
				m.MemberID, strings.ToUpper(m.MemberID), MemberIDStem(m.MemberID), m.FamilyID, m.Relationship, m.BirthSeq,
				m.LastName, m.FirstName, m.Middle, m.DOB, m.Gender, m.CoverageStart, m.CoverageEnd,
				m.Plan, m.GroupNumber, m.TPA, m.Source, now, now, m.CoverageLevel, m.InsuranceType)
			if err != nil {
				if isUniqueViolation(err) {
					return ErrConflict
				}
				return err
			}
			out, change = &row, MemberAdded
			return nil
		case err != nil:
			return err
		}
		if old.sameContent(&m) {
			out, change = old, MemberUnchanged
			return nil
		}
		var row Member
		err = q.get(ctx, &row, `UPDATE members SET
			last_name = ?, first_name = ?, middle = ?, dob = ?, gender = ?,
			coverage_start = ?, coverage_end = ?, plan = ?, group_number = ?, tpa = ?,
			coverage_level = ?, insurance_type = ?, source = ?, updated_at = ?
			WHERE id = ? RETURNING `+memberCols,
			m.LastName, m.FirstName, m.Middle, m.DOB, m.Gender,
			m.CoverageStart, m.CoverageEnd, m.Plan, m.GroupNumber, m.TPA,
			m.CoverageLevel, m.InsuranceType, m.Source, q.now(), old.ID)
		if err != nil {
			return err
		}
		out, change = &row, MemberChanged
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: upsert member: %w", err)
	}
	out.normalize()
	return out, change, nil
}

// GetMember returns the member with the given key, or ErrNotFound. An
// empty Relationship means "18".
func (q *Queries) GetMember(ctx context.Context, key MemberKey) (*Member, error) {
	m, err := q.getMember(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("store: get member: %w", err)
	}
	return m, nil
}

func (q *Queries) getMember(ctx context.Context, key MemberKey) (*Member, error) {
	if key.Relationship == "" {
		key.Relationship = "18"
	}
	var m Member
	err := q.get(ctx, &m, `SELECT `+memberCols+` FROM members
		WHERE family_id = ? AND relationship = ? AND birth_seq = ? AND member_id = ?`,
		key.FamilyID, key.Relationship, key.BirthSeq, key.MemberID)
	if err != nil {
		return nil, err
	}
	m.normalize()
	return &m, nil
}

// TermMember sets the coverage end of the member with the given key to
// endDate (CCYYMMDD) and reports whether that changed anything. A member
// already ending on endDate is left untouched. It returns ErrNotFound for
// an unknown key.
func (q *Queries) TermMember(ctx context.Context, key MemberKey, endDate string) (changed bool, err error) {
	if endDate == "" {
		return false, invalid("coverage end", "", "empty")
	}
	if err := checkDate("coverage end", endDate); err != nil {
		return false, err
	}
	if key.Relationship == "" {
		key.Relationship = "18"
	}
	n, err := q.exec(ctx, `UPDATE members SET coverage_end = ?, updated_at = ?
		WHERE family_id = ? AND relationship = ? AND birth_seq = ? AND member_id = ? AND coverage_end <> ?`,
		endDate, q.now(), key.FamilyID, key.Relationship, key.BirthSeq, key.MemberID, endDate)
	if err == nil && n == 0 {
		if _, err = q.getMember(ctx, key); err == nil {
			return false, nil // already ends on endDate
		}
	}
	if err != nil {
		return false, fmt.Errorf("store: term member: %w", err)
	}
	return true, nil
}

// findMembers runs an indexed lookup on one column.
func (q *Queries) findMembers(ctx context.Context, col, value string) ([]Member, error) {
	var ms []Member
	if err := q.selectAll(ctx, &ms, `SELECT `+memberCols+` FROM members WHERE `+col+` = ? ORDER BY id`, value); err != nil {
		return nil, err
	}
	for i := range ms {
		ms[i].normalize()
	}
	return ms, nil
}

// FindMembersByID returns the members whose member ID equals memberID
// byte for byte (after trimming outer spaces), oldest row first. It uses
// the member_id index.
func (q *Queries) FindMembersByID(ctx context.Context, memberID string) ([]Member, error) {
	memberID = strings.TrimSpace(memberID)
	if memberID == "" {
		return nil, nil
	}
	ms, err := q.findMembers(ctx, "member_id", memberID)
	if err != nil {
		return nil, fmt.Errorf("store: find members by id: %w", err)
	}
	return ms, nil
}

// FindMembersByFoldedID returns the members whose member ID equals
// memberID ignoring ASCII case. It exists to explain a rejection ("wrong
// case"), never to accept a claim.
func (q *Queries) FindMembersByFoldedID(ctx context.Context, memberID string) ([]Member, error) {
	memberID = strings.TrimSpace(memberID)
	if memberID == "" {
		return nil, nil
	}
	ms, err := q.findMembers(ctx, "member_id_fold", strings.ToUpper(memberID))
	if err != nil {
		return nil, fmt.Errorf("store: find members by folded id: %w", err)
	}
	return ms, nil
}

// FindMembersByIDStem returns the members whose member ID is stem followed
// by a 2-digit suffix (see [MemberIDStem]).
func (q *Queries) FindMembersByIDStem(ctx context.Context, stem string) ([]Member, error) {
	stem = strings.TrimSpace(stem)
	if stem == "" {
		return nil, nil
	}
	ms, err := q.findMembers(ctx, "member_id_stem", stem)
	if err != nil {
		return nil, fmt.Errorf("store: find members by id stem: %w", err)
	}
	return ms, nil
}

// FindMembersByFamily returns the subscriber and dependents of one family
// (REF*0F subscriber identifier), oldest row first.
func (q *Queries) FindMembersByFamily(ctx context.Context, familyID string) ([]Member, error) {
	if familyID == "" {
		return nil, nil
	}
	ms, err := q.findMembers(ctx, "family_id", familyID)
	if err != nil {
		return nil, fmt.Errorf("store: find members by family: %w", err)
	}
	return ms, nil
}

// MemberFilter selects members for ListMembers and CountMembers. Zero
// fields do not filter.
type MemberFilter struct {
	// TPA keeps one administrator's members.
	TPA string
	// ByTPA makes TPA "" a filter too (keep members without a TPA)
	// instead of no filter.
	ByTPA bool
	// ActiveOn (CCYYMMDD) keeps members whose coverage has not ended
	// before that day (coverage_end "" or >= ActiveOn).
	ActiveOn string
	// AfterID keeps members with a larger ID (results are in ID order, so
	// this is the next page after the last ID seen).
	AfterID int64
	// Limit caps ListMembers. Default 100, at most 1000. CountMembers
	// ignores it.
	Limit int
}

func (f MemberFilter) where() (string, []any) {
	w := ` WHERE 1 = 1`
	var args []any
	if f.TPA != "" || f.ByTPA {
		w += ` AND tpa = ?`
		args = append(args, f.TPA)
	}
	if f.ActiveOn != "" {
		w += ` AND (coverage_end = '' OR coverage_end >= ?)`
		args = append(args, f.ActiveOn)
	}
	if f.AfterID > 0 {
		w += ` AND id > ?`
		args = append(args, f.AfterID)
	}
	return w, args
}

// ListMembers returns members matching f in ID order.
func (q *Queries) ListMembers(ctx context.Context, f MemberFilter) ([]Member, error) {
	if err := checkDate("active on", f.ActiveOn); err != nil {
		return nil, err
	}
	w, args := f.where()
	args = append(args, limit(f.Limit))
	var ms []Member
	if err := q.selectAll(ctx, &ms, `SELECT `+memberCols+` FROM members`+w+` ORDER BY id LIMIT ?`, args...); err != nil {
		return nil, fmt.Errorf("store: list members: %w", err)
	}
	for i := range ms {
		ms[i].normalize()
	}
	return ms, nil
}

// CountMembers returns the number of members matching f.
func (q *Queries) CountMembers(ctx context.Context, f MemberFilter) (int64, error) {
	if err := checkDate("active on", f.ActiveOn); err != nil {
		return 0, err
	}
	w, args := f.where()
	var n int64
	if err := q.get(ctx, &n, `SELECT COUNT(*) FROM members`+w, args...); err != nil {
		return 0, fmt.Errorf("store: count members: %w", err)
	}
	return n, nil
}

// Roster file formats recorded in RosterImport.Format.
const (
	RosterCSV = "csv"
	Roster834 = "834"
)

// RosterImport records one applied roster file. The counts are what the
// import did; Errors counts skipped records.
type RosterImport struct {
	// ID is assigned by RecordRosterImport.
	ID int64 `db:"id"`
	// Source is the file name (or another label) of the roster.
	Source string `db:"source"`
	// SHA256 is the lowercase hex digest of the file content, unique.
	SHA256 string `db:"sha256"`
	// Format is RosterCSV or Roster834.
	Format     string `db:"format"`
	Added      int    `db:"added"`
	Changed    int    `db:"changed"`
	Termed     int    `db:"termed"`
	Reinstated int    `db:"reinstated"`
	Unchanged  int    `db:"unchanged"`
	Errors     int    `db:"errors"`
	// ImportedAt is when the import was recorded (UTC); defaults to now.
	ImportedAt time.Time `db:"imported_at"`
}

const rosterImportCols = `id, source, sha256, format, added, changed, termed, reinstated, unchanged, errors, imported_at`

// RecordRosterImport records an applied roster file. It is idempotent by
// SHA256: when the digest is already recorded it returns the existing row
// with created=false and writes nothing. Call it in the transaction that
// applied the file and roll back when created is false, so the same file
// is never applied twice.
func (q *Queries) RecordRosterImport(ctx context.Context, ri RosterImport) (rec *RosterImport, created bool, err error) {
	if ri.SHA256, err = checkSHA256(ri.SHA256); err != nil {
		return nil, false, err
	}
	if ri.Format != RosterCSV && ri.Format != Roster834 {
		return nil, false, invalid("roster format", ri.Format, "want csv or 834")
	}
	if ri.ImportedAt.IsZero() {
		ri.ImportedAt = q.now()
	}
	ri.ImportedAt = ri.ImportedAt.UTC().Truncate(time.Microsecond)
	var row RosterImport
	err = q.get(ctx, &row, `INSERT INTO roster_imports
		(source, sha256, format, added, changed, termed, reinstated, unchanged, errors, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING
		RETURNING `+rosterImportCols,
		ri.Source, ri.SHA256, ri.Format, ri.Added, ri.Changed, ri.Termed, ri.Reinstated, ri.Unchanged, ri.Errors, ri.ImportedAt)
	created = err == nil
	if errors.Is(err, ErrNotFound) {
		err = q.get(ctx, &row, `SELECT `+rosterImportCols+` FROM roster_imports WHERE sha256 = ?`, ri.SHA256)
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: record roster import %s: %w", ri.SHA256, err)
	}
	row.ImportedAt = utc(row.ImportedAt)
	return &row, created, nil
}

// GetRosterImport returns the import of the file with the given digest,
// or ErrNotFound.
func (q *Queries) GetRosterImport(ctx context.Context, sha256 string) (*RosterImport, error) {
	sum, err := checkSHA256(sha256)
	if err != nil {
		return nil, err
	}
	var row RosterImport
	if err := q.get(ctx, &row, `SELECT `+rosterImportCols+` FROM roster_imports WHERE sha256 = ?`, sum); err != nil {
		return nil, fmt.Errorf("store: get roster import %s: %w", sum, err)
	}
	row.ImportedAt = utc(row.ImportedAt)
	return &row, nil
}

// ListRosterImports returns the most recent roster imports, newest first
// (at most limit; default 100, at most 1000).
func (q *Queries) ListRosterImports(ctx context.Context, n int) ([]RosterImport, error) {
	var rows []RosterImport
	if err := q.selectAll(ctx, &rows, `SELECT `+rosterImportCols+` FROM roster_imports ORDER BY id DESC LIMIT ?`, limit(n)); err != nil {
		return nil, fmt.Errorf("store: list roster imports: %w", err)
	}
	for i := range rows {
		rows[i].ImportedAt = utc(rows[i].ImportedAt)
	}
	return rows, nil
}
