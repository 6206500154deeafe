package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Reading many rows as one value (SQLite).
//
// The SQLite driver hands database/sql every column of every row as a
// driver.Value: a text value costs two allocations (its bytes and its
// box), an integer above 255 one. The hot lookups read thousands of rows
// of a dozen text columns each, so on SQLite they let SQLite build the
// whole result as one JSON value instead,
//
//	SELECT json_group_array(json_array(col1, col2, …) ORDER BY …) FROM (…)
//
// which crosses database/sql as one string, and read it with jsonRows: a
// text value that needs no unescaping (SQLite escapes only '"', '\' and
// control characters) is a substring of that string, an integer is
// parsed in place. A result of many rows is a few allocations in all.
//
// The values are what rows.Scan would give: json_array writes a TEXT
// value as a JSON string of its bytes, an INTEGER as a JSON number and a
// NULL as null, whatever the column's declared type (so a timestamp
// written as text comes as its text, as textTime reads it). BLOB and REAL
// values are not read this way (json_array refuses a BLOB; no column read
// so holds a REAL).

// queryJSONRows runs query, whose result is one row of one column — a
// JSON array of rows, each a JSON array of values, as
// json_group_array(json_array(…)) builds it — and calls row for each row
// in order. row reads the row's values in column order with the jsonRows
// methods; values it does not read are skipped. The strings it reads
// share the memory of the whole result (see jsonRows.detach).
func (q *Queries) queryJSONRows(ctx context.Context, row func(*jsonRows) error, query string, args ...any) error {
	var payload string
	n := 0
	err := q.scanRows(ctx, func(rows *sql.Rows) error {
		n++
		return rows.Scan(&payload)
	}, query, args...)
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("store: JSON rows: %d result rows, want 1", n)
	}
	r := jsonRows{s: payload}
	for r.next() {
		if err := row(&r); err != nil {
			return err
		}
	}
	return r.err
}

// errJSONRows is a result queryJSONRows cannot read (not the JSON that
// json_group_array(json_array(…)) writes, or a value of another type than
// the one asked for).
var errJSONRows = errors.New("store: malformed JSON rows")

// jsonRows reads a JSON array of arrays of scalar values (strings,
// integers, null) row by row: next moves to the next row, the value
// methods read its values in order. The first error sticks (err); the
// value methods then return zero values and next returns false.
type jsonRows struct {
	s     string
	pos   int
	state byte // 0 before the outer array, 1 between rows, 2 in a row, 3 at its end
	first bool // in a row, before its first value
	err   error
	// clone is a copy of s[cloneAt:cloneAt+len(clone)], the current row
	// (detach): values within it are taken from the copy.
	clone   string
	cloneAt int
}

// sub is s[a:b], from the row's copy when detach made one.
func (r *jsonRows) sub(a, b int) string {
	if r.clone != "" && a >= r.cloneAt && b <= r.cloneAt+len(r.clone) {
		return r.clone[a-r.cloneAt : b-r.cloneAt]
	}
	return r.s[a:b]
}

func (r *jsonRows) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d", errJSONRows, what, r.pos)
	}
}

func (r *jsonRows) skipSpace() {
	for r.pos < len(r.s) {
		switch r.s[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte (0 at the end).
func (r *jsonRows) peek() byte {
	r.skipSpace()
	if r.pos >= len(r.s) {
		return 0
	}
	return r.s[r.pos]
}

// next moves to the next row, skipping what is left of the current one,
// and reports whether there is one.
func (r *jsonRows) next() bool {
	if r.err != nil {
		return false
	}
	r.clone = ""
	switch r.state {
	case 0:
		if r.peek() != '[' {
			r.fail("want '['")
			return false
		}
		r.pos++
		if r.peek() == ']' {
			r.pos++
			r.state = 3
			return r.end()
		}
	case 2:
		if r.skipRest(); r.err != nil {
			return false
		}
		fallthrough
	case 1:
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			r.state = 3
			return r.end()
		default:
			r.fail("want ',' or ']' after a row")
			return false
		}
	case 3:
		return false
	}
	if r.peek() != '[' {
		r.fail("want a row")
		return false
	}
	r.pos++
	r.state, r.first = 2, true
	return true
}

// end checks that nothing follows the outer array.
func (r *jsonRows) end() bool {
	if r.peek() != 0 {
		r.fail("text after the rows")
	}
	return false
}

// more reports whether the current row has another value, and moves to
// it; at the row's end it moves past the row.
func (r *jsonRows) more() bool {
	if r.err != nil || r.state != 2 {
		return false
	}
	c := r.peek()
	if c == ']' {
		r.pos++
		r.state = 1
		return false
	}
	if !r.first {
		if c != ',' {
			r.fail("want ',' or ']' in a row")
			return false
		}
		r.pos++
		c = r.peek()
	}
	if c == 0 || c == ']' || c == ',' {
		r.fail("want a value")
		return false
	}
	r.first = false
	return true
}

// value returns the next value's token: a string's contents between its
// quotes (quoted true, escaped whether it holds a backslash) or the text
// of a number or literal.
func (r *jsonRows) value() (tok string, quoted, escaped bool, ok bool) {
	if !r.more() {
		r.fail("too few values in a row")
		return "", false, false, false
	}
	start := r.pos
	if r.s[start] == '"' {
		i := start + 1
		for i < len(r.s) {
			switch r.s[i] {
			case '"':
				r.pos = i + 1
				return r.sub(start+1, i), true, escaped, true
			case '\\':
				escaped = true
				i += 2
				continue
			}
			i++
		}
		r.fail("unterminated string")
		return "", false, false, false
	}
	i := start
	for i < len(r.s) {
		c := r.s[i]
		if c == ',' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		i++
	}
	if i == start {
		r.fail("want a value")
		return "", false, false, false
	}
	r.pos = i
	return r.sub(start, i), false, false, true
}

// skipRest skips the rest of the current row and moves past its end.
func (r *jsonRows) skipRest() {
	for r.err == nil && r.state == 2 {
		if r.peek() == ']' {
			r.pos++
			r.state = 1
			return
		}
		r.skipValue()
	}
}

// skipValue skips the next scalar value.
func (r *jsonRows) skipValue() {
	tok, quoted, _, ok := r.value()
	if ok && !quoted && tok != "null" && !isJSONInt(tok) {
		r.fail("unexpected value")
	}
}

// str reads a text value. An integer reads as its decimal text (as
// rows.Scan converts it); NULL is an error, as scanning it into a string
// is.
func (r *jsonRows) str() string {
	tok, quoted, escaped, ok := r.value()
	switch {
	case !ok:
		return ""
	case quoted && !escaped:
		return tok
	case quoted:
		s, err := unescapeJSON(tok)
		if err != nil {
			r.fail(err.Error())
		}
		return s
	case isJSONInt(tok):
		return tok
	}
	r.fail("want a text value")
	return ""
}

// int reads an integer value; NULL or text is an error.
func (r *jsonRows) int() int64 {
	n, null := r.optInt()
	if null && r.err == nil {
		r.fail("NULL for an integer")
	}
	return n
}

// optInt reads an integer value or NULL (null true).
func (r *jsonRows) optInt() (n int64, null bool) {
	tok, quoted, _, ok := r.value()
	if !ok {
		return 0, false
	}
	if !quoted && tok == "null" {
		return 0, true
	}
	if quoted || !isJSONInt(tok) {
		r.fail("want an integer")
		return 0, false
	}
	n, err := strconv.ParseInt(tok, 10, 64)
	if err != nil {
		r.fail("integer out of range")
	}
	return n, false
}

// time reads a timestamp stored as text (as textTime reads it).
func (r *jsonRows) time() time.Time {
	s := r.str()
	if r.err != nil {
		return time.Time{}
	}
	t, err := parseSQLiteTime(s)
	if err != nil && r.err == nil {
		r.err = err
	}
	return t
}

// detach copies the current row (call it before reading the row's
// values) into a string of its own, so that the values then read keep
// only that copy alive, not the whole result: for rows kept long after
// the query (in a cache), one allocation a row.
func (r *jsonRows) detach() {
	if r.err != nil || r.state != 2 {
		return
	}
	pos, first := r.pos, r.first
	if r.skipRest(); r.err != nil {
		return
	}
	r.clone, r.cloneAt = strings.Clone(r.s[pos:r.pos]), pos
	r.pos, r.first, r.state = pos, first, 2
}

func isJSONInt(tok string) bool {
	if tok != "" && tok[0] == '-' {
		tok = tok[1:]
	}
	if tok == "" {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return false
		}
	}
	return true
}

// unescapeJSON decodes the escapes of a JSON string's contents (between
// its quotes). Bytes that are not escapes are kept as they are (invalid
// UTF-8 included, as SQLite writes it).
func unescapeJSON(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New("escape at the end of a string")
		}
		i++
		switch s[i] {
		case '"', '\\', '/':
			b.WriteByte(s[i])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s, i+1)
			if !ok {
				return "", errors.New("bad \\u escape")
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(s, i+3); ok && i+2 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b.WriteRune(dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
		default:
			return "", errors.New("bad escape")
		}
	}
	return b.String(), nil
}

// hex4 reads four hex digits at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
