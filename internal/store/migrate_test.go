package store_test

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"github.com/clearinghouse/clearinghouse/internal/dbtest"
	"github.com/clearinghouse/clearinghouse/internal/store"
)

// schemaTables are the tables the migrations create.
var schemaTables = []string{
	"audit_log", "claim_lines", "claim_payments", "claims", "clinical_results", "contract_sets",
	"control_numbers", "csv_claims", "csv_row_errors", "csv_submissions", "era_enrollments",
	"fee_schedule_rows", "fee_schedules", "groups", "inbound_files", "interchanges", "members",
	"outbound_files", "partner_credentials", "partners", "portal_login_attempts", "portal_renewals",
	"portal_sessions", "portal_user_scopes", "portal_users", "remit_claims", "remit_lines",
	"remittances", "report_days", "roster_imports", "transactions",
}

// postgresOnlyTables are the tables only the PostgreSQL migrations create:
// the spool's blobs (spool: postgres), which SQLite never holds.
var postgresOnlyTables = []string{"spool_blobs", "spool_chunks"}

// tablesOf returns the tables the migrations of dialect create.
func tablesOf(dialect string) []string {
	if dialect != store.DialectPostgres {
		return schemaTables
	}
	out := append(append([]string{}, schemaTables...), postgresOnlyTables...)
	sort.Strings(out)
	return out
}

func init() { sort.Strings(schemaTables) }

func openRaw(t *testing.T, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// tableColumns lists the application tables and their columns as the
// engine reports them.
func tableColumns(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	query := `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`
	if s.Dialect() == store.DialectSQLite {
		query = `SELECT m.name, p.name FROM sqlite_master m, pragma_table_xinfo(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'`
	}
	rows, err := s.DB().QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out
}

func tableNames(m map[string][]string) []string {
	names := []string{}
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func TestMigrateUpDownUp(t *testing.T) {
	for _, be := range dbtest.Backends() {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := openRaw(t, be.URL(t))
			cur, latest, err := s.SchemaVersion(ctx)
			if err != nil || cur != 0 || latest < 1 {
				t.Fatalf("fresh SchemaVersion = %d, %d, %v; want 0 and >=1", cur, latest, err)
			}
			if got := tableNames(tableColumns(t, s)); len(got) != 0 {
				t.Fatalf("fresh database has tables %v", got)
			}
			up := func() {
				t.Helper()
				if err := s.Migrate(ctx); err != nil {
					t.Fatalf("Migrate: %v", err)
				}
				if got, want := tableNames(tableColumns(t, s)), tablesOf(s.Dialect()); !reflect.DeepEqual(got, want) {
					t.Fatalf("tables after up = %v, want %v", got, want)
				}
				if cur, _, err := s.SchemaVersion(ctx); err != nil || cur != latest {
					t.Fatalf("SchemaVersion after up = %d, %v; want %d", cur, err, latest)
				}
				// The schema works: a write and a read.
				if _, err := s.NextControlNumber(ctx, "acme", store.ControlISA); err != nil {
					t.Fatalf("NextControlNumber after up: %v", err)
				}
			}
			up()
			// Up again is a no-op.
			up()
			if err := s.MigrateDownTo(ctx, 0); err != nil {
				t.Fatalf("MigrateDownTo(0): %v", err)
			}
			if got := tableNames(tableColumns(t, s)); len(got) != 0 {
				t.Fatalf("tables after down = %v, want none", got)
			}
			if cur, _, err := s.SchemaVersion(ctx); err != nil || cur != 0 {
				t.Fatalf("SchemaVersion after down = %d, %v; want 0", cur, err)
			}
			up()
			// MigrateDown steps back one migration at a time (versions
			// may have gaps: each helper branch owns its own numbers).
			ms, err := store.Migrations(s.Dialect())
			if err != nil {
				t.Fatal(err)
			}
			for i := len(ms) - 1; i >= 0; i-- {
				v, prev := ms[i].Version, int64(0)
				if i > 0 {
					prev = ms[i-1].Version
				}
				if err := s.MigrateDown(ctx); err != nil {
					t.Fatalf("MigrateDown from %d: %v", v, err)
				}
				if cur, _, err := s.SchemaVersion(ctx); err != nil || cur != prev {
					t.Fatalf("SchemaVersion after MigrateDown = %d, %v; want %d", cur, err, prev)
				}
			}
			if got := tableNames(tableColumns(t, s)); len(got) != 0 {
				t.Fatalf("tables after stepping down = %v, want none", got)
			}
			up()
		})
	}
}

// TestMigrationsPaired checks that both dialect folders hold the same
// migrations, each with an up and a down script.
func TestMigrationsPaired(t *testing.T) {
	pg, err := store.Migrations(store.DialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := store.Migrations(store.DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) == 0 || len(pg) != len(lite) {
		t.Fatalf("postgres has %d migrations, sqlite %d; want the same, at least one", len(pg), len(lite))
	}
	for i := range pg {
		if pg[i].Version != lite[i].Version || pg[i].Name != lite[i].Name {
			t.Errorf("migration %d: postgres %03d_%s, sqlite %03d_%s", i, pg[i].Version, pg[i].Name, lite[i].Version, lite[i].Name)
		}
		// Versions increase; a branch may leave a gap for migrations
		// numbered by other branches.
		if i > 0 && pg[i].Version <= pg[i-1].Version || i == 0 && pg[i].Version != 1 {
			t.Errorf("migration %d has version %d; want increasing versions from 1", i, pg[i].Version)
		}
	}
	if _, err := store.Migrations("mysql"); err == nil {
		t.Fatal("Migrations(mysql) succeeded")
	}
}

// TestSchemaParity checks that the two dialects define the same tables
// and columns but the PostgreSQL-only ones (needs PostgreSQL).
func TestSchemaParity(t *testing.T) {
	lite := dbtest.OpenSQLite(t)
	pg := dbtest.OpenPostgres(t)
	l, p := tableColumns(t, lite), tableColumns(t, pg)
	for _, name := range postgresOnlyTables {
		if _, ok := p[name]; !ok {
			t.Errorf("postgres has no table %s", name)
		}
		delete(p, name)
	}
	if !reflect.DeepEqual(l, p) {
		t.Fatalf("schemas differ:\nsqlite   %v\npostgres %v", l, p)
	}
}
