package store

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Inserting many rows with one argument (SQLite).
//
// database/sql takes every argument as an interface, and boxing a string
// or an integer above 255 allocates: a claim's row was about 14 boxed
// values after argBoxes (values that recur, as most of a line's do, are
// boxed once). On SQLite the claims of a batch go instead as one JSON
// array of rows, each a JSON array of values, into
//
//	INSERT INTO t (cols) SELECT value->>0, value->>1, … FROM jsonb_each(?)
//
// (->> gives a JSON string as TEXT, an integer as INTEGER and null as
// NULL; jsonb_each hands each row over in SQLite's binary form, where
// json_each would write it out as text for ->> to parse again), so a
// statement of hundreds of rows binds one string. The stored values are
// those the per-value arguments stored: the same types, the same bytes.
// Text that JSON cannot carry byte for byte (not UTF-8, or a NUL) is not
// written this way (jsonClaimText); such a batch takes the per-value
// arguments. Each ->> is a lookup in the row's JSON, which costs CPU
// time: a line's values, which mostly recur (argBoxes), stay per-value
// arguments (as JSON they saved 5 allocations a claim for about 8 % more
// CPU time in BenchmarkProcess).

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
	b.WriteString(" FROM jsonb_each(?)")
	return b.String()
}

// sqliteClaimJSONInsert takes the claims' 31 values, then created_at
// and updated_at.
var sqliteClaimJSONInsert = jsonInsertSQL("claims", claimInsertCols, 31, "?", "?")

// jsonText reports whether s goes through SQLite's JSON unchanged: valid
// UTF-8 without a NUL.
func jsonText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// jsonClaimText reports whether every text value of the claims' rows is
// jsonText.
func jsonClaimText(cs []*Claim) bool {
	for _, c := range cs {
		for _, s := range [...]string{c.PartnerID, c.ControlNumber, c.CLM01, c.ClaimType, c.Frequency, c.RefF8, string(c.State),
			c.Reasons, c.PayerID, c.SubmitterID, c.BillingNPI, c.BillingTIN, c.MemberID, c.PatientLast, c.PatientFirst,
			c.PatientDOB, c.ServiceFrom, c.ServiceTo, c.Fingerprint, c.SuspectKey, c.Notes, c.RelatedControl, c.MemberTPA} {
			if !jsonText(s) {
				return false
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

// insertClaimRowsJSON inserts the rows of cs (not their lines), whose
// text is jsonClaimText, as JSON arguments of sqliteJSONRows rows each,
// with IDs numbered after last.
func (q *Queries) insertClaimRowsJSON(ctx context.Context, cs []*Claim, last int64, now time.Time) error {
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
			return err
		}
	}
	return nil
}
