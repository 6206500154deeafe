package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// openJSONRowsDB opens a bare SQLite store (no migrations) with a table
// of one text, one integer and one timestamp column.
func openJSONRowsDB(t testing.TB) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "jsonrows.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE jr (id INTEGER PRIMARY KEY, s TEXT, n INTEGER, ts TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	return s
}

type jrRow struct {
	id   int64
	s    string
	n    int64
	null bool
	ts   time.Time
}

// jsonRowsQuery reads jr through queryJSONRows; detach reads each row
// from its own copy.
func jsonRowsQuery(ctx context.Context, s *Store, detach bool) ([]jrRow, error) {
	var out []jrRow
	err := s.queryJSONRows(ctx, func(r *jsonRows) error {
		if detach {
			r.detach()
		}
		var x jrRow
		x.id = r.int()
		x.s = r.str()
		x.n, x.null = r.optInt()
		x.ts = r.time()
		out = append(out, x)
		return nil
	}, `SELECT json_group_array(json_array(id, s, n, ts) ORDER BY id) FROM jr`)
	return out, err
}

// scanQuery reads jr as rows.Scan does.
func scanQuery(ctx context.Context, s *Store) ([]jrRow, error) {
	var out []jrRow
	err := s.scanRows(ctx, func(rows *sql.Rows) error {
		var x jrRow
		var n sql.NullInt64
		if err := rows.Scan(&x.id, &x.s, &n, textTime{&x.ts}); err != nil {
			return err
		}
		x.n, x.null = n.Int64, !n.Valid
		out = append(out, x)
		return nil
	}, `SELECT id, s, n, +ts FROM jr ORDER BY id`)
	return out, err
}

// jsonRowsStrings are text values SQLite's JSON writer escapes or passes
// through in every way it can.
var jsonRowsStrings = []string{
	"", "plain", `quo"te`, `back\slash`, `\"`, `\\u0041`, "/slash/", "tab\there", "new\nline", "cr\rlf\n",
	"\b\f", "\x01\x02\x1f", "\x7f", "é", "日本語", "\U0001F600", "\u2028\u2029", "\xff\xfe", "\xed\xa0\x80",
	"a,b]c[d", " lead and trail ", "[1,2]", "null", "123", `{"k":"v"}`, strings.Repeat("x", 5000),
}

func TestJSONRowsSQLite(t *testing.T) {
	ctx := context.Background()
	s := openJSONRowsDB(t)
	// An empty result is an empty array.
	if got, err := jsonRowsQuery(ctx, s, false); err != nil || len(got) != 0 {
		t.Fatalf("empty table: %v, %v", got, err)
	}
	ts := time.Date(2026, 12, 8, 3, 4, 5, 123456000, time.UTC)
	ints := []*int64{nil, ptrInt(0), ptrInt(-1), ptrInt(255), ptrInt(256), ptrInt(math.MaxInt64), ptrInt(math.MinInt64)}
	for i, str := range jsonRowsStrings {
		var n any
		if p := ints[i%len(ints)]; p != nil {
			n = *p
		}
		if _, err := s.db.ExecContext(ctx, `INSERT INTO jr (s, n, ts) VALUES (?, ?, ?)`, str, n, ts); err != nil {
			t.Fatal(err)
		}
	}
	want, err := scanQuery(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != len(jsonRowsStrings) {
		t.Fatalf("scanned %d rows, want %d", len(want), len(jsonRowsStrings))
	}
	for _, detach := range []bool{false, true} {
		got, err := jsonRowsQuery(ctx, s, detach)
		if err != nil {
			t.Fatalf("detach %v: %v", detach, err)
		}
		if len(got) != len(want) {
			t.Fatalf("detach %v: %d rows, want %d", detach, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("detach %v: row %d = %#v, want %#v", detach, i, got[i], want[i])
			}
			if got[i].s != jsonRowsStrings[i] {
				t.Errorf("detach %v: row %d text %+q, want %+q", detach, i, got[i].s, jsonRowsStrings[i])
			}
		}
	}
}

func ptrInt(n int64) *int64 { return &n }

// FuzzJSONRowsSQLite checks that a text value and an integer read through
// SQLite's JSON are what rows.Scan reads.
func FuzzJSONRowsSQLite(f *testing.F) {
	for i, s := range jsonRowsStrings {
		f.Add(s, int64(i)*1000003-7)
	}
	ctx := context.Background()
	s := openJSONRowsDB(f)
	ts := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, str string, n int64) {
		if _, err := s.db.ExecContext(ctx, `DELETE FROM jr`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(ctx, `INSERT INTO jr (s, n, ts) VALUES (?, ?, ?), (?, NULL, ?)`, str, n, ts, str+`"\`, ts); err != nil {
			t.Fatal(err)
		}
		want, err := scanQuery(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		for _, detach := range []bool{false, true} {
			got, err := jsonRowsQuery(ctx, s, detach)
			if err != nil {
				t.Fatalf("%+q: %v", str, err)
			}
			if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
				t.Fatalf("%+q, %d: got %#v, want %#v", str, n, got, want)
			}
		}
	})
}

// TestJSONRowsParse checks the parser on its own: layouts SQLite does not
// write but JSON allows, escapes, and malformed input (an error, never a
// panic or a wrong value).
func TestJSONRowsParse(t *testing.T) {
	read := func(in string) ([][]string, error) {
		r := jsonRows{s: in}
		var out [][]string
		for r.next() {
			var row []string
			for r.err == nil && r.state == 2 && r.peek() != ']' {
				tok, quoted, escaped, ok := r.value()
				if !ok {
					break
				}
				if escaped {
					u, err := unescapeJSON(tok)
					if err != nil {
						return nil, err
					}
					tok = u
				}
				if !quoted {
					tok = "#" + tok
				}
				row = append(row, tok)
			}
			out = append(out, row)
		}
		return out, r.err
	}
	ok := []struct {
		in   string
		want [][]string
	}{
		{`[]`, nil},
		{` [ ] `, nil},
		{`[[]]`, [][]string{nil}},
		{`[[1,"a"],["b",null]]`, [][]string{{"#1", "a"}, {"b", "#null"}}},
		{` [ [ 1 , "a" ] , [ -2 ] ] `, [][]string{{"#1", "a"}, {"#-2"}}},
		{`[["\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00"]]`, [][]string{{"\"\\/\b\f\n\r\tAé\U0001F600"}}},
		{`[["\ud83d"]]`, [][]string{{"\uFFFD"}}},
		{`[["\ud83d\u0041"]]`, [][]string{{"\uFFFDA"}}},
	}
	for _, c := range ok {
		got, err := read(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %q, want %q", c.in, got, c.want)
			continue
		}
		for i := range got {
			if strings.Join(got[i], "|") != strings.Join(c.want[i], "|") || len(got[i]) != len(c.want[i]) {
				t.Errorf("%s: row %d %q, want %q", c.in, i, got[i], c.want[i])
			}
		}
	}
	bad := []string{``, `{}`, `[`, `[[`, `[[1`, `[[1,`, `[[1,]]`, `[[,1]]`, `[[1 2]]`, `[[1]`, `[[1]] x`, `[[1],]`,
		`[["a]]`, `[["\x"]]`, `[["\u12"]]`, `[["\`, `[1]`, `[[1]][[2]]`, `[[1];[2]]`}
	for _, in := range bad {
		if _, err := read(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	// Typed reads.
	r := jsonRows{s: `[[1, "x", null, "2", 99999999999999999999, 1.5]]`}
	if !r.next() {
		t.Fatal(r.err)
	}
	if n := r.int(); n != 1 || r.err != nil {
		t.Fatalf("int: %d, %v", n, r.err)
	}
	if s := r.str(); s != "x" || r.err != nil {
		t.Fatalf("str: %q, %v", s, r.err)
	}
	if _, null := r.optInt(); !null || r.err != nil {
		t.Fatalf("optInt: null %v, %v", null, r.err)
	}
	if r.int(); r.err == nil {
		t.Fatal(`int of "2": no error`)
	}
	for _, c := range []struct {
		in   string
		read func(*jsonRows)
	}{
		{`[[null]]`, func(r *jsonRows) { r.str() }},
		{`[[null]]`, func(r *jsonRows) { r.int() }},
		{`[[99999999999999999999]]`, func(r *jsonRows) { r.int() }},
		{`[[1.5]]`, func(r *jsonRows) { r.int() }},
		{`[[1.5]]`, func(r *jsonRows) { r.str() }},
		{`[[true]]`, func(r *jsonRows) { r.str() }},
		{`[["x"]]`, func(r *jsonRows) { r.time() }},
		{`[[1]]`, func(r *jsonRows) { r.int(); r.int() }},
		{`[[1.5, 2]]`, func(r *jsonRows) {}}, // skipped values are checked too
	} {
		r := jsonRows{s: c.in}
		for r.next() {
			c.read(&r)
		}
		if !errors.Is(r.err, errJSONRows) && r.err == nil {
			t.Errorf("%s: no error", c.in)
		}
	}
	// An integer reads as text, as rows.Scan converts it.
	r = jsonRows{s: `[[-12]]`}
	if r.next(); r.str() != "-12" || r.err != nil {
		t.Fatalf("str of -12: %v", r.err)
	}
}

// FuzzJSONRowsParse feeds the parser arbitrary input: it must end with a
// result or an error, never panic or loop, whatever it reads a value as.
func FuzzJSONRowsParse(f *testing.F) {
	for _, s := range []string{`[]`, `[[1,"a",null]]`, `[["\u00e9\ud83d\ude00"],[-1]]`, `[[`, `[["\`, `[[1,]]`, ` [ [ 2 ] ] `} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, in string, how uint8) {
		r := jsonRows{s: in}
		rows := 0
		for r.next() {
			if rows++; rows > len(in) {
				t.Fatalf("%q: more rows than bytes", in)
			}
			if how&1 != 0 {
				r.detach()
			}
			for i := 0; i < 4 && r.err == nil; i++ {
				switch (int(how) >> (1 + i)) % 3 {
				case 0:
					r.str()
				case 1:
					r.optInt()
				default:
					r.skipRest()
				}
			}
		}
	})
}
