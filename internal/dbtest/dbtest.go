package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // driver for the schema bookkeeping connection
)

// EnvPostgres names the environment variable holding the PostgreSQL server
// URL the tests use, e.g.
// postgres://postgres@127.0.0.1:5432/ch_store_test?sslmode=disable.
const EnvPostgres = "DATABASE_URL"

// Backend is a database engine the store runs on, as seen by tests.
type Backend struct {
	// Name is the store dialect, usable as a subtest name.
	Name string
	// URL returns the URL of a fresh, empty, isolated database on this
	// backend, removed when the test ends. For PostgreSQL it skips the
	// test when DATABASE_URL is unset (fails it when CI=true).
	URL func(t testing.TB) string
}

// Backends returns SQLite and PostgreSQL, in that order. Run a suite once
// per backend:
//
//	for _, b := range dbtest.Backends() {
//		t.Run(b.Name, func(t *testing.T) { s := dbtest.Open(t, store.Config{URL: b.URL(t)}); ... })
//	}
func Backends() []Backend {
	return []Backend{
		{Name: store.DialectSQLite, URL: SQLiteURL},
		{Name: store.DialectPostgres, URL: PostgresURL},
	}
}

// SQLiteURL returns the URL of a new SQLite database file in t.TempDir().
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "store.db")
}

// PostgresURL creates a uniquely named schema on the server in
// DATABASE_URL and returns a URL whose search_path selects it, so each test
// has its own tables. The schema is dropped when the test ends (register
// this before opening stores on it, so they close first). Without
// DATABASE_URL the test is skipped, or failed when CI=true: CI always has a
// server.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must run the PostgreSQL tests", EnvPostgres)
		}
		t.Skipf("%s is not set; skipping PostgreSQL test", EnvPostgres)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "chtest_" + hex.EncodeToString(b[:])

	ctx := context.Background()
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens the store described by cfg, migrates it and closes it when
// the test ends.
func Open(t testing.TB, cfg store.Config) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s store: %v", s.Dialect(), err)
	}
	return s
}

// OpenSQLite returns a migrated store on a new SQLite file in t.TempDir().
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, store.Config{URL: SQLiteURL(t)})
}

// OpenPostgres returns a migrated store on a new PostgreSQL schema (see
// PostgresURL for the skip rule).
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	return Open(t, store.Config{URL: PostgresURL(t)})
}
