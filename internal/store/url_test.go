package store

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

var parseURLTests = []struct {
	name     string
	in       string
	dialect  string
	path     string // SQLite: the DSN before '?'; PostgreSQL: the whole DSN (binary_parameters added unless set)
	wantWAL  bool
	extra    string // an extra query parameter that must survive
	wantFail bool
	cache    string // the cache_size pragma expected ("" = the default)
}{
	{name: "Postgres", in: "postgres://u@h:5432/db?sslmode=disable", dialect: DialectPostgres, path: "postgres://u@h:5432/db?binary_parameters=yes&sslmode=disable"},
	{name: "PostgreSQLScheme", in: "postgresql://u@h/db", dialect: DialectPostgres, path: "postgresql://u@h/db?binary_parameters=yes"},
	{name: "OwnBinaryParameters", in: "postgres://u@h/db?binary_parameters=no", dialect: DialectPostgres, path: "postgres://u@h/db?binary_parameters=no"},
	{name: "SQLiteScheme", in: "sqlite:data/ch.db", dialect: DialectSQLite, path: "data/ch.db", wantWAL: true},
	{name: "SQLiteSlashes", in: "sqlite:///var/lib/ch.db", dialect: DialectSQLite, path: "/var/lib/ch.db", wantWAL: true},
	{name: "FileURI", in: "file:/tmp/ch.db?mode=rwc", dialect: DialectSQLite, path: "file:/tmp/ch.db", wantWAL: true, extra: "mode=rwc"},
	{name: "BarePath", in: "/tmp/x/ch.db", dialect: DialectSQLite, path: "/tmp/x/ch.db", wantWAL: true},
	{name: "Memory", in: "sqlite::memory:", dialect: DialectSQLite, path: ":memory:"},
	{name: "OwnCacheSize", in: "sqlite:ch.db?_pragma=cache_size(-1000)", dialect: DialectSQLite, path: "ch.db", wantWAL: true, cache: "cache_size(-1000)"},
	{name: "UnknownScheme", in: "mysql://u@h/db", wantFail: true},
	{name: "EmptySQLite", in: "sqlite:", wantFail: true},
}

func TestParseURL(t *testing.T) {
	for _, tc := range parseURLTests {
		t.Run(tc.name, func(t *testing.T) {
			dialect, dsn, err := parseURL(tc.in, 5*time.Second)
			if tc.wantFail {
				if err == nil {
					t.Fatalf("parseURL(%q) = %q, %q; want an error", tc.in, dialect, dsn)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if dialect != tc.dialect {
				t.Fatalf("dialect = %q, want %q", dialect, tc.dialect)
			}
			if dialect == DialectPostgres {
				if dsn != tc.path {
					t.Fatalf("dsn = %q, want %q", dsn, tc.path)
				}
				return
			}
			path, query, _ := strings.Cut(dsn, "?")
			if path != tc.path {
				t.Fatalf("path = %q, want %q", path, tc.path)
			}
			q, err := url.ParseQuery(query)
			if err != nil {
				t.Fatal(err)
			}
			pragmas := strings.Join(q["_pragma"], ",")
			for _, want := range []string{"busy_timeout(5000)", "foreign_keys(1)", "temp_store(MEMORY)"} {
				if !strings.Contains(pragmas, want) {
					t.Errorf("pragmas %q lack %s", pragmas, want)
				}
			}
			wantCache := tc.cache
			if wantCache == "" {
				wantCache = "cache_size(-32768)"
			}
			if n := strings.Count(pragmas, "cache_size"); n != 1 || !strings.Contains(pragmas, wantCache) {
				t.Errorf("pragmas %q: want exactly %s", pragmas, wantCache)
			}
			if got := strings.Contains(pragmas, "journal_mode(WAL)"); got != tc.wantWAL {
				t.Errorf("WAL = %v, want %v (pragmas %q)", got, tc.wantWAL, pragmas)
			}
			if q.Get("_txlock") != "immediate" || q.Get("_time_format") != "sqlite" || q.Get("_timezone") != "UTC" {
				t.Errorf("driver settings missing: %v", q)
			}
			if tc.extra != "" {
				k, v, _ := strings.Cut(tc.extra, "=")
				if q.Get(k) != v {
					t.Errorf("parameter %s lost: %v", tc.extra, q)
				}
			}
		})
	}
}
