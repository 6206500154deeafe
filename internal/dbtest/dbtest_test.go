package dbtest_test

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
	"github.com/jmoiron/sqlx"
)

// TestIsolation checks that two URLs of one backend are two databases.
func TestIsolation(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			ctx := context.Background()
			u1, u2 := be.URL(t), be.URL(t)
			if u1 == u2 {
				t.Fatalf("two calls returned the same URL %q", u1)
			}
			s1 := dbtest.Open(t, store.Config{URL: u1})
			s2 := dbtest.Open(t, store.Config{URL: u2})
			if s1.Dialect() != be.Name {
				t.Fatalf("Dialect() = %q, want %q", s1.Dialect(), be.Name)
			}
			if err := s1.UpsertPartner(ctx, store.Partner{ID: "acme"}); err != nil {
				t.Fatal(err)
			}
			if ps, err := s2.ListPartners(ctx); err != nil || len(ps) != 0 {
				t.Fatalf("second database sees %v, %v; want nothing", ps, err)
			}
		})
	}
}

// TestPostgresSchemaDropped checks that PostgresURL's schema is gone once
// its test ends.
func TestPostgresSchemaDropped(t *testing.T) {
	var schema string
	t.Run("inner", func(t *testing.T) {
		u, err := url.Parse(dbtest.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		schema = u.Query().Get("search_path")
		dbtest.Open(t, store.Config{URL: u.String()})
	})
	if schema == "" {
		t.Skip("the inner test was skipped (no PostgreSQL)")
	}
	db, err := sqlx.Open("postgres", os.Getenv(dbtest.EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Get(&n, `SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1`, schema); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("schema %s still exists after its test", schema)
	}
}
