package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Inserting many rows with one argument (SQLite).
//
// database/sql takes every argument as an interface, and boxing a string
// or an integer above 255 allocates: a claim's row was about 14 boxed
// values after argBoxes. On SQLite the rows of a batch go instead as one
// JSON array of rows, each a JSON array of values, into
//
//	INSERT INTO t (cols) SELECT value->>0, value->>1, … FROM json_each(?)
//
// (->> gives a JSON string as TEXT, an integer as INTEGER and null as
// NULL), so a statement of hundreds of rows binds one string. The stored
// values are those the per-value arguments stored: the same types, the
// same bytes. Text that JSON cannot carry byte for byte (not UTF-8, or a
// NUL) is not written this way (jsonInsertable); such a batch takes the
// per-value arguments.

// sqliteJSONRows is the number of rows per JSON INSERT.
const sqliteJSONRows = 512

// jsonInsertSQL is the INSERT of the rows of a JSON array argument into
// table: cols (comma-separated) take the values of each row in order,
// then the expressions of extra (their own parameters come before the
// JSON argument's).
func jsonInsertSQL(table, cols string, n int, extra ...string) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + cols + ") SELECT ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("value->>" + strconv.Itoa(i))
	}
	for _, e := range extra {
		b.WriteString(", " + e)
	}
	b.WriteString(" FROM json_each(?)")
	return b.String()
}

var (
	// The claims' 31 values, then created_at and updated_at.
	sqliteClaimJSONInsert = jsonInsertSQL("claims", claimInsertCols, 31, "?", "?")
	sqliteLineJSONInsert  = jsonInsertSQL("claim_lines", `claim_id, line_no, code, modifiers, units, unit_type, charge_cents,
		allowed_cents, service_from, service_to, revenue_code`, 11)
)

// jsonText reports whether s goes through SQLite's JSON unchanged: valid
// UTF-8 without a NUL.
func jsonText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// jsonInsertable reports whether every text value of the claims and
// their lines is jsonText.
func jsonInsertable(cs []*Claim) bool {
	for _, c := range cs {
		for _, s := range [...]string{c.PartnerID, c.ControlNumber, c.CLM01, c.ClaimType, c.Frequency, c.RefF8, string(c.State),
			c.Reasons, c.PayerID, c.SubmitterID, c.BillingNPI, c.BillingTIN, c.MemberID, c.PatientLast, c.PatientFirst,
			c.PatientDOB, c.ServiceFrom, c.ServiceTo, c.Fingerprint, c.SuspectKey, c.Notes, c.RelatedControl, c.MemberTPA} {
			if !jsonText(s) {
				return false
			}
		}
		for i := range c.Lines {
			l := &c.Lines[i]
			for _, s := range [...]string{l.Code, l.Modifiers, l.UnitType, l.ServiceFrom, l.ServiceTo, l.RevenueCode} {
				if !jsonText(s) {
					return false
				}
			}
		}
	}
	return true
}

// jsonRowsArg builds the JSON array argument of a JSON INSERT.
type jsonRowsArg struct {
	b    []byte
	rows int
	vals int // values in the current row
}

func (a *jsonRowsArg) reset() {
	a.b, a.rows, a.vals = append(a.b[:0], '['), 0, 0
}

// row starts a row.
func (a *jsonRowsArg) row() {
	if a.rows > 0 {
		a.b = append(a.b, ',')
	}
	a.b, a.vals = append(a.b, '['), 0
	a.rows++
}

// endRow ends a row.
func (a *jsonRowsArg) endRow() { a.b = append(a.b, ']') }

func (a *jsonRowsArg) sep() {
	if a.vals > 0 {
		a.b = append(a.b, ',')
	}
	a.vals++
}

// str adds a text value (jsonText: escaped are '"', '\' and control
// characters; other bytes go as they are).
func (a *jsonRowsArg) str(s string) {
	a.sep()
	a.b = append(a.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		a.b = append(a.b, s[start:i]...)
		switch c {
		case '"', '\\':
			a.b = append(a.b, '\\', c)
		default:
			const hex = "0123456789abcdef"
			a.b = append(a.b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	a.b = append(append(a.b, s[start:]...), '"')
}

// int adds an integer value.
func (a *jsonRowsArg) int(n int64) {
	a.sep()
	a.b = strconv.AppendInt(a.b, n, 10)
}

// opt adds an optional integer value (null for nil).
func (a *jsonRowsArg) opt(p *int64) {
	if p == nil {
		a.sep()
		a.b = append(a.b, "null"...)
		return
	}
	a.int(*p)
}

// arg ends the array and returns it as the statement's argument (a
// string: SQLite reads a BLOB argument as binary JSON).
func (a *jsonRowsArg) arg() string {
	return string(append(a.b, ']'))
}

// insertClaimsSQLiteJSON is insertClaimsSQLite for claims whose text is
// jsonInsertable: their rows and their lines' rows go as JSON arguments,
// sqliteJSONRows rows a statement. IDs are numbered after last.
func (q *Queries) insertClaimsSQLiteJSON(ctx context.Context, cs []*Claim, last int64, now time.Time) error {
	nowArg := any(now)
	var a jsonRowsArg
	for start := 0; start < len(cs); start += sqliteJSONRows {
		a.reset()
		for i, c := range cs[start:min(start+sqliteJSONRows, len(cs))] {
			a.row()
			a.int(last + int64(start+i) + 1)
			a.opt(c.TransactionID)
			a.int(c.InboundFileID)
			a.str(c.PartnerID)
			a.str(c.ControlNumber)
			a.str(c.CLM01)
			a.str(c.ClaimType)
			a.str(c.Frequency)
			a.str(c.RefF8)
			a.opt(c.ReplacesClaimID)
			a.str(string(c.State))
			a.str(c.Reasons)
			a.int(c.BilledCents)
			a.opt(c.AllowedCents)
			a.str(c.PayerID)
			a.str(c.SubmitterID)
			a.str(c.BillingNPI)
			a.str(c.BillingTIN)
			a.str(c.MemberID)
			a.str(c.PatientLast)
			a.str(c.PatientFirst)
			a.str(c.PatientDOB)
			a.str(c.ServiceFrom)
			a.str(c.ServiceTo)
			a.str(c.Fingerprint)
			a.str(c.SuspectKey)
			a.int(c.RawOffset)
			a.int(c.RawLength)
			a.str(c.Notes)
			a.str(c.RelatedControl)
			a.str(c.MemberTPA)
			a.endRow()
		}
		if _, err := q.execRows(ctx, sqliteClaimJSONInsert, true, []any{nowArg, nowArg, a.arg()}); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("store: insert claims: %w: %v", ErrConflict, err)
			}
			return fmt.Errorf("store: insert claims: %w", err)
		}
	}
	for i, c := range cs {
		c.ID, c.CreatedAt, c.UpdatedAt = last+int64(i)+1, now, now
		for j := range c.Lines {
			c.Lines[j].ClaimID = c.ID
		}
	}
	flush := func() error {
		if a.rows == 0 {
			return nil
		}
		if _, err := q.execRows(ctx, sqliteLineJSONInsert, true, []any{a.arg()}); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("store: insert claim lines: %w: %v", ErrConflict, err)
			}
			return fmt.Errorf("store: insert claim lines: %w", err)
		}
		a.reset()
		return nil
	}
	a.reset()
	for _, c := range cs {
		for j := range c.Lines {
			l := &c.Lines[j]
			a.row()
			a.int(c.ID)
			a.int(int64(l.LineNo))
			a.str(l.Code)
			a.str(l.Modifiers)
			a.int(l.Units)
			a.str(l.UnitType)
			a.int(l.ChargeCents)
			a.opt(l.AllowedCents)
			a.str(l.ServiceFrom)
			a.str(l.ServiceTo)
			a.str(l.RevenueCode)
			a.endRow()
			if a.rows == sqliteJSONRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}
