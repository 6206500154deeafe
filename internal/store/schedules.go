package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ScheduleKind is the kind of a repricing schedule: which CSV format it
// came from and which columns of its rows are used.
type ScheduleKind string

// Schedule kinds, one per repricing CSV format.
const (
	// ScheduleFee is a fee schedule: Code, Modifier, POS, AmountCents and
	// the effective range.
	ScheduleFee ScheduleKind = "fee"
	// ScheduleRBRVS is an RVU schedule: Code, Modifier, Work, PE
	// (non-facility), PEFacility, MP and the effective range.
	ScheduleRBRVS ScheduleKind = "rbrvs"
	// ScheduleGPCI is a GPCI table: Code (the locality), Work, PE and MP;
	// no effective range.
	ScheduleGPCI ScheduleKind = "gpci"
	// SchedulePerDiem is a per diem rate table: Code (revenue code or
	// facility type), AmountCents (the daily rate) and the effective range.
	SchedulePerDiem ScheduleKind = "perdiem"
	// ScheduleDRG is a DRG weight table: Code (the DRG), Weight and the
	// effective range.
	ScheduleDRG ScheduleKind = "drg"
	// ScheduleCaseRate is a case rate table: Code (DRG or procedure or
	// revenue code), AmountCents and the effective range.
	ScheduleCaseRate ScheduleKind = "case_rate"
)

// ScheduleKinds returns every schedule kind.
func ScheduleKinds() []ScheduleKind {
	return []ScheduleKind{ScheduleFee, ScheduleRBRVS, ScheduleGPCI, SchedulePerDiem, ScheduleDRG, ScheduleCaseRate}
}

// Row columns, as a bit set, that a kind may fill.
const (
	colModifier = 1 << iota
	colPOS
	colAmount
	colRVU // Work, PE, PEFacility, MP
	colGPCI
	colWeight
	colDates
)

var kindColumns = map[ScheduleKind]int{
	ScheduleFee:      colModifier | colPOS | colAmount | colDates,
	ScheduleRBRVS:    colModifier | colRVU | colDates,
	ScheduleGPCI:     colGPCI,
	SchedulePerDiem:  colAmount | colDates,
	ScheduleDRG:      colWeight | colDates,
	ScheduleCaseRate: colAmount | colDates,
}

// Valid reports whether k is one of the schedule kinds.
func (k ScheduleKind) Valid() bool {
	_, ok := kindColumns[k]
	return ok
}

// ScheduleRow is one row of a stored schedule. One struct serves every
// kind; the columns a kind does not use are zero (see the ScheduleKind
// constants). Values are stored as given; the repricing package validates
// them when it builds a schedule from the rows.
type ScheduleRow struct {
	// Line is the row's line in the imported file (0 if none), kept for
	// error messages.
	Line int `db:"line"`
	// Code is the row's key: the procedure or revenue code (fee, rbrvs),
	// the locality (gpci), the revenue code or facility type (perdiem),
	// the DRG (drg) or the DRG or code (case_rate). Required.
	Code string `db:"code"`
	// Modifier is the two-character modifier ("" = any; fee, rbrvs).
	Modifier string `db:"modifier"`
	// POS is the two-digit place of service ("" = any; fee).
	POS string `db:"pos"`
	// AmountCents is the fee per unit, the per diem daily rate or the case
	// rate, in cents.
	AmountCents int64 `db:"amount_cents"`
	// Work, PE, PEFacility and MP are RVUs (rbrvs: PE is the non-facility
	// practice expense RVU) or GPCIs (gpci: PEFacility unused), scaled by
	// 10 000 (1.2345 is 12345).
	Work       int64 `db:"work"`
	PE         int64 `db:"pe"`
	PEFacility int64 `db:"pe_facility"`
	MP         int64 `db:"mp"`
	// Weight is the DRG relative weight scaled by 10 000.
	Weight int64 `db:"weight"`
	// EffectiveFrom and EffectiveTo bound the row, inclusive, as CCYYMMDD;
	// "" means open (no lower bound, open-ended). Always "" for gpci.
	EffectiveFrom string `db:"effective_from"`
	EffectiveTo   string `db:"effective_to"`
}

// ScheduleImport is one schedule file to store with ImportSchedule.
type ScheduleImport struct {
	// Kind is the schedule kind. Required.
	Kind ScheduleKind
	// Name is the name contracts use for the schedule: 1 to 100 characters
	// A-Z, a-z, 0-9, '_', '-' and '.'. Required. A schedule is identified
	// by (Kind, Name).
	Name string
	// SourceName is the base name of the imported file (informational).
	SourceName string
	// SHA256 is the lowercase hex digest of the imported file. Required.
	SHA256 string
	// Rows are the schedule's rows in file order; at least one.
	Rows []ScheduleRow
}

// ScheduleInfo describes one stored version of a schedule.
type ScheduleInfo struct {
	// ID identifies the version; ScheduleRows reads its rows.
	ID int64 `db:"id"`
	// Kind and Name identify the schedule.
	Kind ScheduleKind `db:"kind"`
	Name string       `db:"name"`
	// Version counts the distinct contents imported under Kind and Name,
	// from 1.
	Version int `db:"version"`
	// SHA256 is the digest of the imported file.
	SHA256 string `db:"sha256"`
	// SourceName is the imported file's base name.
	SourceName string `db:"source_name"`
	// RowCount is the number of rows.
	RowCount int `db:"row_count"`
	// Active marks the version the repricing engine loads; each schedule
	// has exactly one.
	Active bool `db:"active"`
	// ImportedAt is when the version was stored (UTC).
	ImportedAt time.Time `db:"imported_at"`
}

// VersionChange says what ImportSchedule or SaveContracts did.
type VersionChange string

// ImportSchedule and SaveContracts outcomes.
const (
	// VersionCreated: the content was new; it was stored as a new version
	// and made active.
	VersionCreated VersionChange = "created"
	// VersionReactivated: the content was already stored as an older,
	// inactive version; that version was made active again (a rollback).
	VersionReactivated VersionChange = "reactivated"
	// VersionUnchanged: the content is the active version already; nothing
	// was written.
	VersionUnchanged VersionChange = "unchanged"
)

const scheduleCols = `id, kind, name, version, sha256, source_name, row_count, active, imported_at`

const scheduleRowCols = `line, code, modifier, pos, amount_cents, work, pe, pe_facility, mp, weight, effective_from, effective_to`

// rowBatch is how many rows one INSERT statement carries (14 parameters
// each, well under SQLite's and PostgreSQL's parameter limits).
const rowBatch = 500

// checkScheduleName accepts 1..100 characters A-Z, a-z, 0-9, '_', '-', '.'.
func checkScheduleName(name string) error {
	if name == "" || len(name) > 100 {
		return invalid("schedule name", name, "want 1 to 100 characters")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return invalid("schedule name", name, "only A-Z, a-z, 0-9, '_', '-' and '.' allowed")
		}
	}
	return nil
}

func checkScheduleKind(k ScheduleKind) error {
	if !k.Valid() {
		return invalid("schedule kind", string(k), "want fee, rbrvs, gpci, perdiem, drg or case_rate")
	}
	return nil
}

// check validates the shape of row i of a schedule of kind k: a code,
// CCYYMMDD dates in order, and nothing in the columns k does not use.
func (r *ScheduleRow) check(k ScheduleKind, i int) error {
	at := func(field string) string { return fmt.Sprintf("row %d %s", i+1, field) }
	if r.Code == "" {
		return invalid(at("code"), "", "empty")
	}
	cols := kindColumns[k]
	unused := []struct {
		col   int
		name  string
		empty bool
	}{
		{colModifier, "modifier", r.Modifier == ""},
		{colPOS, "pos", r.POS == ""},
		{colAmount, "amount_cents", r.AmountCents == 0},
		{colRVU | colGPCI, "work", r.Work == 0},
		{colRVU | colGPCI, "pe", r.PE == 0},
		{colRVU, "pe_facility", r.PEFacility == 0},
		{colRVU | colGPCI, "mp", r.MP == 0},
		{colWeight, "weight", r.Weight == 0},
		{colDates, "effective_from", r.EffectiveFrom == ""},
		{colDates, "effective_to", r.EffectiveTo == ""},
	}
	for _, u := range unused {
		if cols&u.col == 0 && !u.empty {
			return invalid(at(u.name), "", fmt.Sprintf("not used by %s schedules", k))
		}
	}
	if err := checkDate(at("effective_from"), r.EffectiveFrom); err != nil {
		return err
	}
	if err := checkDate(at("effective_to"), r.EffectiveTo); err != nil {
		return err
	}
	if r.EffectiveFrom != "" && r.EffectiveTo != "" && r.EffectiveTo < r.EffectiveFrom {
		return invalid(at("effective_to"), r.EffectiveTo, "before effective_from "+r.EffectiveFrom)
	}
	return nil
}

func (s *ScheduleInfo) normalize() {
	s.ImportedAt = utc(s.ImportedAt)
}

// ImportSchedule stores a schedule file as a version of the schedule
// (imp.Kind, imp.Name) and makes it the active version, atomically (in the
// current transaction on a Tx). It is idempotent by content: when the
// schedule already has a version with imp.SHA256 it writes no rows and
// returns that version, VersionUnchanged if it is active, else
// VersionReactivated after making it active again. New content becomes a
// new version (VersionCreated); older versions are kept, inactive. Two
// concurrent imports of different content under one name may fail with
// ErrConflict; retry.
func (q *Queries) ImportSchedule(ctx context.Context, imp ScheduleImport) (*ScheduleInfo, VersionChange, error) {
	if err := checkScheduleKind(imp.Kind); err != nil {
		return nil, "", err
	}
	if err := checkScheduleName(imp.Name); err != nil {
		return nil, "", err
	}
	if imp.SourceName != "" {
		if err := checkName("source name", imp.SourceName); err != nil {
			return nil, "", err
		}
	}
	var err error
	if imp.SHA256, err = checkSHA256(imp.SHA256); err != nil {
		return nil, "", err
	}
	if len(imp.Rows) == 0 {
		return nil, "", invalid("schedule rows", imp.Name, "no rows")
	}
	for i := range imp.Rows {
		if err := imp.Rows[i].check(imp.Kind, i); err != nil {
			return nil, "", err
		}
	}
	var (
		out    ScheduleInfo
		change VersionChange
	)
	err = q.atomic(ctx, func(q *Queries) error {
		err := q.get(ctx, &out, `SELECT `+scheduleCols+` FROM fee_schedules
			WHERE kind = ? AND name = ? AND sha256 = ?`, imp.Kind, imp.Name, imp.SHA256)
		switch {
		case err == nil && out.Active:
			change = VersionUnchanged
			return nil
		case err == nil:
			if err := q.deactivateSchedule(ctx, imp.Kind, imp.Name); err != nil {
				return err
			}
			if _, err := q.exec(ctx, `UPDATE fee_schedules SET active = ? WHERE id = ?`, true, out.ID); err != nil {
				return err
			}
			out.Active, change = true, VersionReactivated
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		if err := q.deactivateSchedule(ctx, imp.Kind, imp.Name); err != nil {
			return err
		}
		var version int
		if err := q.get(ctx, &version, `SELECT COALESCE(MAX(version), 0) + 1 FROM fee_schedules
			WHERE kind = ? AND name = ?`, imp.Kind, imp.Name); err != nil {
			return err
		}
		err = q.get(ctx, &out, `INSERT INTO fee_schedules
			(kind, name, version, sha256, source_name, row_count, active, imported_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING `+scheduleCols,
			imp.Kind, imp.Name, version, imp.SHA256, imp.SourceName, len(imp.Rows), true, q.now())
		if err != nil {
			return err
		}
		if err := q.insertScheduleRows(ctx, out.ID, imp.Rows); err != nil {
			return err
		}
		change = VersionCreated
		return nil
	})
	if err != nil {
		if isUniqueViolation(err) {
			err = ErrConflict
		}
		return nil, "", fmt.Errorf("store: import %s schedule %s: %w", imp.Kind, imp.Name, err)
	}
	out.normalize()
	return &out, change, nil
}

// deactivateSchedule clears the active flag of the schedule's versions.
func (q *Queries) deactivateSchedule(ctx context.Context, kind ScheduleKind, name string) error {
	_, err := q.exec(ctx, `UPDATE fee_schedules SET active = ? WHERE kind = ? AND name = ? AND active`, false, kind, name)
	return err
}

// insertScheduleRows bulk-inserts rows in multi-row INSERTs of rowBatch.
func (q *Queries) insertScheduleRows(ctx context.Context, id int64, rows []ScheduleRow) error {
	const tuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	var b strings.Builder
	args := make([]any, 0, 14*min(len(rows), rowBatch))
	for start := 0; start < len(rows); start += rowBatch {
		batch := rows[start:min(start+rowBatch, len(rows))]
		b.Reset()
		b.WriteString(`INSERT INTO fee_schedule_rows (schedule_id, seq, ` + scheduleRowCols + `) VALUES `)
		args = args[:0]
		for i := range batch {
			r := &batch[i]
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
			args = append(args, id, start+i+1, r.Line, r.Code, r.Modifier, r.POS, r.AmountCents,
				r.Work, r.PE, r.PEFacility, r.MP, r.Weight, r.EffectiveFrom, r.EffectiveTo)
		}
		if _, err := q.exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert rows %d..%d: %w", start+1, start+len(batch), err)
		}
	}
	return nil
}

// ListSchedules returns every stored version of every schedule, ordered by
// kind, name and version (newest first).
func (q *Queries) ListSchedules(ctx context.Context) ([]ScheduleInfo, error) {
	var out []ScheduleInfo
	if err := q.selectAll(ctx, &out, `SELECT `+scheduleCols+` FROM fee_schedules
		ORDER BY kind, name, version DESC`); err != nil {
		return nil, fmt.Errorf("store: list schedules: %w", err)
	}
	for i := range out {
		out[i].normalize()
	}
	return out, nil
}

// ActiveSchedule returns the active version of the schedule (kind, name),
// or ErrNotFound.
func (q *Queries) ActiveSchedule(ctx context.Context, kind ScheduleKind, name string) (*ScheduleInfo, error) {
	var s ScheduleInfo
	if err := q.get(ctx, &s, `SELECT `+scheduleCols+` FROM fee_schedules
		WHERE kind = ? AND name = ? AND active`, kind, name); err != nil {
		return nil, fmt.Errorf("store: %s schedule %s: %w", kind, name, err)
	}
	s.normalize()
	return &s, nil
}

// ScheduleRows returns the rows of the schedule version id in file order
// (none for an unknown id). A version's rows never change.
func (q *Queries) ScheduleRows(ctx context.Context, id int64) ([]ScheduleRow, error) {
	var rows []ScheduleRow
	if err := q.selectAll(ctx, &rows, `SELECT `+scheduleRowCols+` FROM fee_schedule_rows
		WHERE schedule_id = ? ORDER BY seq`, id); err != nil {
		return nil, fmt.Errorf("store: schedule %d rows: %w", id, err)
	}
	return rows, nil
}

// LoadSchedule returns the active version of the schedule (kind, name) and
// its rows, or ErrNotFound. Versions are immutable, so the two reads need
// no transaction.
func (q *Queries) LoadSchedule(ctx context.Context, kind ScheduleKind, name string) (*ScheduleInfo, []ScheduleRow, error) {
	info, err := q.ActiveSchedule(ctx, kind, name)
	if err != nil {
		return nil, nil, err
	}
	rows, err := q.ScheduleRows(ctx, info.ID)
	if err != nil {
		return nil, nil, err
	}
	return info, rows, nil
}

// ContractSet is one stored contracts YAML file.
type ContractSet struct {
	// ID identifies the set; a newer import has a larger ID.
	ID int64 `db:"id"`
	// SHA256 is the digest of YAML.
	SHA256 string `db:"sha256"`
	// SourceName is the imported file's base name.
	SourceName string `db:"source_name"`
	// YAML is the file content (empty in ListContractSets results).
	YAML []byte `db:"yaml"`
	// Active marks the set the repricing engine loads (at most one).
	Active bool `db:"active"`
	// ImportedAt is when the set was stored (UTC).
	ImportedAt time.Time `db:"imported_at"`
}

const contractSetCols = `id, sha256, source_name, yaml, active, imported_at`

// SaveContracts stores a contracts YAML file and makes it the active set,
// atomically. The store does not parse it: validate it first
// (repricing.LoadContracts). The same content (by SHA-256) is stored once:
// saving it again returns the stored set, VersionUnchanged when it is
// active, else VersionReactivated after making it active again. New
// content is VersionCreated; older sets are kept, inactive. The YAML must
// be UTF-8 without NUL bytes.
func (q *Queries) SaveContracts(ctx context.Context, sourceName string, yaml []byte) (*ContractSet, VersionChange, error) {
	if sourceName != "" {
		if err := checkName("source name", sourceName); err != nil {
			return nil, "", err
		}
	}
	if len(yaml) == 0 {
		return nil, "", invalid("contracts yaml", "", "empty")
	}
	if !utf8.Valid(yaml) || strings.IndexByte(string(yaml), 0) >= 0 {
		return nil, "", invalid("contracts yaml", "", "not UTF-8 text")
	}
	sum := sha256.Sum256(yaml)
	digest := hex.EncodeToString(sum[:])
	var (
		out    ContractSet
		change VersionChange
	)
	err := q.atomic(ctx, func(q *Queries) error {
		err := q.get(ctx, &out, `SELECT `+contractSetCols+` FROM contract_sets WHERE sha256 = ?`, digest)
		switch {
		case err == nil && out.Active:
			change = VersionUnchanged
			return nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return err
		}
		if _, err := q.exec(ctx, `UPDATE contract_sets SET active = ? WHERE active`, false); err != nil {
			return err
		}
		if out.ID != 0 {
			if _, err := q.exec(ctx, `UPDATE contract_sets SET active = ? WHERE id = ?`, true, out.ID); err != nil {
				return err
			}
			out.Active, change = true, VersionReactivated
			return nil
		}
		// The YAML goes in as a string: lib/pq would send []byte as bytea.
		if err := q.get(ctx, &out, `INSERT INTO contract_sets (sha256, source_name, yaml, active, imported_at)
			VALUES (?, ?, ?, ?, ?) RETURNING `+contractSetCols,
			digest, sourceName, string(yaml), true, q.now()); err != nil {
			return err
		}
		change = VersionCreated
		return nil
	})
	if err != nil {
		if isUniqueViolation(err) {
			err = ErrConflict
		}
		return nil, "", fmt.Errorf("store: save contracts %s: %w", digest[:12], err)
	}
	out.ImportedAt = utc(out.ImportedAt)
	return &out, change, nil
}

// ActiveContracts returns the active contract set, or ErrNotFound when no
// contracts were saved.
func (q *Queries) ActiveContracts(ctx context.Context) (*ContractSet, error) {
	var cs ContractSet
	if err := q.get(ctx, &cs, `SELECT `+contractSetCols+` FROM contract_sets WHERE active`); err != nil {
		return nil, fmt.Errorf("store: active contracts: %w", err)
	}
	cs.ImportedAt = utc(cs.ImportedAt)
	return &cs, nil
}

// ListContractSets returns every stored contract set, newest first,
// without the YAML.
func (q *Queries) ListContractSets(ctx context.Context) ([]ContractSet, error) {
	var out []ContractSet
	if err := q.selectAll(ctx, &out, `SELECT id, sha256, source_name, '' AS yaml, active, imported_at
		FROM contract_sets ORDER BY id DESC`); err != nil {
		return nil, fmt.Errorf("store: list contract sets: %w", err)
	}
	for i := range out {
		out[i].ImportedAt = utc(out[i].ImportedAt)
		out[i].YAML = nil
	}
	return out, nil
}
