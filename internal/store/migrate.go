package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles holds one folder of NNN_name.up.sql / NNN_name.down.sql
// pairs per dialect.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationFiles embed.FS

// migrationTable is goose's version table.
const migrationTable = "goose_db_version"

// Migration is one embedded schema migration of a dialect.
type Migration struct {
	// Version is the NNN prefix of the file names.
	Version int64
	// Name is the file name without version and suffix, e.g. "init".
	Name string
	// Up and Down are the SQL scripts.
	Up, Down string
}

// Migrations returns the embedded migrations of dialect
// ([DialectPostgres] or [DialectSQLite]) in version order.
func Migrations(dialect string) ([]Migration, error) {
	if dialect != DialectPostgres && dialect != DialectSQLite {
		return nil, fmt.Errorf("store: unknown dialect %q", dialect)
	}
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	byVersion := map[int64]*Migration{}
	for _, e := range entries {
		name := e.Name()
		var up bool
		var base string
		switch {
		case strings.HasSuffix(name, ".up.sql"):
			up, base = true, strings.TrimSuffix(name, ".up.sql")
		case strings.HasSuffix(name, ".down.sql"):
			base = strings.TrimSuffix(name, ".down.sql")
		default:
			return nil, fmt.Errorf("store: migration %s: name must end in .up.sql or .down.sql", name)
		}
		num, label, ok := strings.Cut(base, "_")
		version, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || version < 1 || label == "" {
			return nil, fmt.Errorf("store: migration %s: name must be NNN_name", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", name, err)
		}
		m := byVersion[version]
		if m == nil {
			m = &Migration{Version: version, Name: label}
			byVersion[version] = m
		}
		if m.Name != label {
			return nil, fmt.Errorf("store: migration %d has two names: %s and %s", version, m.Name, label)
		}
		if up {
			m.Up = string(body)
		} else {
			m.Down = string(body)
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		if strings.TrimSpace(m.Up) == "" || strings.TrimSpace(m.Down) == "" {
			return nil, fmt.Errorf("store: migration %03d_%s needs both an up and a down file", m.Version, m.Name)
		}
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// provider builds the goose provider for this store's dialect. Each
// up/down pair becomes one goose migration whose SQL runs as a whole inside
// a transaction. On PostgreSQL a session advisory lock, keyed by the
// current schema, keeps concurrent engine processes from migrating at once.
func (s *Store) provider(ctx context.Context) (*goose.Provider, error) {
	// The schema may change: drop the prepared statements (PostgreSQL
	// refuses a cached plan whose columns changed).
	if err := s.stmts.reset(); err != nil {
		return nil, fmt.Errorf("store: close prepared statements: %w", err)
	}
	ms, err := Migrations(s.dialect)
	if err != nil {
		return nil, err
	}
	gms := make([]*goose.Migration, 0, len(ms))
	for _, m := range ms {
		gms = append(gms, goose.NewGoMigration(m.Version,
			&goose.GoFunc{RunTx: runScript(m.Up)},
			&goose.GoFunc{RunTx: runScript(m.Down)}))
	}
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(gms...),
		goose.WithTableName(migrationTable),
	}
	dialect := goose.DialectSQLite3
	if s.dialect == DialectPostgres {
		dialect = goose.DialectPostgres
		var schema sql.NullString
		if err := s.db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return nil, fmt.Errorf("store: current schema: %w", err)
		}
		if !schema.Valid {
			return nil, errors.New("store: no postgres schema selected (does the search_path schema exist?)")
		}
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(int64(crc32.ChecksumIEEE([]byte("clearinghouse/store:"+schema.String)))),
			lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.db.DB, nil, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// runScript returns a goose step that executes script as one multi-statement
// Exec in the migration's transaction.
func runScript(script string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, script)
		return err
	}
}

// Migrate applies every pending migration. It is safe to call from several
// processes at once on PostgreSQL (they serialise on an advisory lock).
func (s *Store) Migrate(ctx context.Context) error {
	p, err := s.provider(ctx)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate up: %w", err)
	}
	return nil
}

// MigrateDown rolls back the most recently applied migration.
func (s *Store) MigrateDown(ctx context.Context) error {
	p, err := s.provider(ctx)
	if err != nil {
		return err
	}
	if _, err := p.Down(ctx); err != nil {
		return fmt.Errorf("store: migrate down: %w", err)
	}
	return nil
}

// MigrateDownTo rolls back every migration newer than version; 0 rolls
// back all of them, leaving an empty schema (and goose's version table).
func (s *Store) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := s.provider(ctx)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return fmt.Errorf("store: migrate down to %d: %w", version, err)
	}
	return nil
}

// SchemaVersion returns the current migration version (0 before the first
// migration) and the newest version this build knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := s.provider(ctx)
	if err != nil {
		return 0, 0, err
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("store: schema version: %w", err)
	}
	return current, latest, nil
}
