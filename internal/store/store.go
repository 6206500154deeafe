package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"  // PostgreSQL driver "postgres"
	_ "modernc.org/sqlite" // SQLite driver "sqlite"
)

// Dialect names returned by [Store.Dialect].
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// Config configures [OpenConfig]. The zero value of every field except URL
// is a usable default.
type Config struct {
	// URL selects the database. postgres:// or postgresql:// opens
	// PostgreSQL through lib/pq (the URL is passed on unchanged, so
	// parameters such as sslmode or search_path work). sqlite:PATH,
	// sqlite://PATH, file:PATH or a bare PATH opens SQLite; ":memory:"
	// opens a private in-memory database. Required.
	URL string
	// Now returns the current time. Every timestamp the store writes, and
	// every lease comparison it makes, uses it. Default: time.Now.
	Now func() time.Time
	// MaxOpenConns caps the PostgreSQL connection pool. Default: 10.
	// SQLite always uses exactly one connection (the single writer).
	MaxOpenConns int
	// BusyTimeout is how long a SQLite connection waits for a lock held by
	// another process before failing with SQLITE_BUSY. Default: 10s.
	// Ignored for PostgreSQL.
	BusyTimeout time.Duration
}

func (c *Config) validate() error {
	if strings.TrimSpace(c.URL) == "" {
		return errors.New("store: empty database url")
	}
	if c.MaxOpenConns < 0 {
		return fmt.Errorf("store: negative MaxOpenConns %d", c.MaxOpenConns)
	}
	if c.BusyTimeout < 0 {
		return fmt.Errorf("store: negative BusyTimeout %s", c.BusyTimeout)
	}
	return nil
}

// Store is the clearinghouse database. It embeds [Queries], so every
// repository method can be called on it directly; [Store.InTx] runs several
// of them in one transaction. A Store is safe for concurrent use.
type Store struct {
	*Queries
	db      *sqlx.DB
	dialect string
}

// Tx is a database transaction opened by [Store.InTx]. It embeds
// [Queries], so the same repository methods run inside the transaction.
type Tx struct {
	*Queries
}

// Queries holds the repository methods shared by [Store] and [Tx]. Code
// that should work both inside and outside a transaction can take a
// *Queries (store.Queries or tx.Queries). Methods that need several
// statements (InsertClaim, for example) open their own transaction when
// called on a Store and join the current one when called on a Tx.
type Queries struct {
	ext     sqlx.ExtContext
	store   *Store
	tx      *Tx // nil outside a transaction
	dialect string
	clock   func() time.Time
}

// Open opens the database at url with default settings. It does not
// migrate; call [Store.Migrate]. See [Config.URL] for the accepted forms.
func Open(ctx context.Context, url string) (*Store, error) {
	return OpenConfig(ctx, Config{URL: url})
}

// OpenConfig opens the database described by cfg and checks that it
// answers. It does not migrate; call [Store.Migrate].
func OpenConfig(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxOpenConns == 0 {
		cfg.MaxOpenConns = 10
	}
	if cfg.BusyTimeout == 0 {
		cfg.BusyTimeout = 10 * time.Second
	}
	dialect, dsn, err := parseURL(cfg.URL, cfg.BusyTimeout)
	if err != nil {
		return nil, err
	}
	driver := "postgres"
	if dialect == DialectSQLite {
		driver = "sqlite"
	}
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	if dialect == DialectSQLite {
		// One connection: SQLite has a single writer anyway, and a pool of
		// one makes every write in this process serialise instead of
		// failing with SQLITE_BUSY. It also keeps ":memory:" alive.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		db.SetMaxOpenConns(cfg.MaxOpenConns)
		db.SetMaxIdleConns(cfg.MaxOpenConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: ping %s: %w", dialect, err)
	}
	s := &Store{db: db, dialect: dialect}
	now := cfg.Now
	s.Queries = &Queries{
		ext:     db,
		store:   s,
		dialect: dialect,
		clock:   func() time.Time { return now().UTC().Truncate(time.Microsecond) },
	}
	return s, nil
}

// parseURL maps a store URL to a dialect and a driver DSN.
func parseURL(raw string, busy time.Duration) (dialect, dsn string, err error) {
	lower := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		if _, err := url.Parse(raw); err != nil {
			return "", "", fmt.Errorf("store: bad postgres url: %w", err)
		}
		return DialectPostgres, raw, nil
	case strings.Contains(lower, "://") && !strings.HasPrefix(lower, "sqlite://") && !strings.HasPrefix(lower, "file:"):
		scheme, _, _ := strings.Cut(raw, "://")
		return "", "", fmt.Errorf("store: unsupported database url scheme %q", scheme)
	}
	path := raw
	if strings.HasPrefix(lower, "sqlite:") {
		path = raw[len("sqlite:"):]
		path = strings.TrimPrefix(path, "//")
	}
	if path == "" || path == "file:" {
		return "", "", errors.New("store: empty sqlite path")
	}
	params := url.Values{}
	if p, q, ok := strings.Cut(path, "?"); ok {
		path = p
		params, err = url.ParseQuery(q)
		if err != nil {
			return "", "", fmt.Errorf("store: bad sqlite url parameters: %w", err)
		}
	}
	// The driver settings the store relies on; a caller may add others.
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "synchronous(NORMAL)")
	if path != ":memory:" && !strings.Contains(path, "mode=memory") {
		params.Add("_pragma", "journal_mode(WAL)")
	}
	params.Set("_time_format", "sqlite")
	params.Set("_timezone", "UTC")
	// BEGIN IMMEDIATE: a transaction takes the write lock up front, so two
	// processes sharing a file queue on busy_timeout instead of failing a
	// read-to-write lock upgrade.
	params.Set("_txlock", "immediate")
	return DialectSQLite, path + "?" + params.Encode(), nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	return s.db.Close()
}

// Dialect returns [DialectPostgres] or [DialectSQLite].
func (s *Store) Dialect() string {
	return s.dialect
}

// DB returns the underlying pool, for tests and one-off administration.
// Prefer the repository methods.
func (s *Store) DB() *sqlx.DB {
	return s.db
}

// InTx runs fn in a transaction: committed if fn returns nil, rolled back
// if it returns an error or panics. Inside fn use only the *Tx, never the
// Store: on SQLite the Store's single connection belongs to the
// transaction, so a Store call from inside fn blocks until ctx is done.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	tx := &Tx{}
	tx.Queries = &Queries{ext: sqlTx, store: s, tx: tx, dialect: s.dialect, clock: s.clock}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, context.Canceled) {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// conn returns the executor for one call, or ctx's error if it is already
// done.
func (q *Queries) conn(ctx context.Context) (sqlx.ExtContext, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return q.ext, nil
}

// atomic runs fn in a transaction: the current one on a Tx, a new one on a
// Store.
func (q *Queries) atomic(ctx context.Context, fn func(q *Queries) error) error {
	if q.tx != nil {
		return fn(q)
	}
	return q.store.InTx(ctx, func(tx *Tx) error { return fn(tx.Queries) })
}

// rebind turns the ? placeholders of query into the dialect's.
func (q *Queries) rebind(query string) string {
	if q.dialect == DialectPostgres {
		return sqlx.Rebind(sqlx.DOLLAR, query)
	}
	return query
}

// now is the store clock: UTC, truncated to the microsecond both dialects
// keep.
func (q *Queries) now() time.Time {
	return q.clock()
}

// get runs query (with ? placeholders) and scans one row into dest,
// mapping no row to ErrNotFound.
func (q *Queries) get(ctx context.Context, dest any, query string, args ...any) error {
	ext, err := q.conn(ctx)
	if err != nil {
		return err
	}
	if err := sqlx.GetContext(ctx, ext, dest, q.rebind(query), args...); err != nil {
		if errors.Is(err, sqlNoRows) {
			return ErrNotFound
		}
		return err
	}
	return nil
}

// selectAll runs query (with ? placeholders) and scans every row into dest.
func (q *Queries) selectAll(ctx context.Context, dest any, query string, args ...any) error {
	ext, err := q.conn(ctx)
	if err != nil {
		return err
	}
	return sqlx.SelectContext(ctx, ext, dest, q.rebind(query), args...)
}

// exec runs a statement (with ? placeholders) and returns the number of
// rows it affected.
func (q *Queries) exec(ctx context.Context, query string, args ...any) (int64, error) {
	ext, err := q.conn(ctx)
	if err != nil {
		return 0, err
	}
	res, err := ext.ExecContext(ctx, q.rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// utc converts a time read back from the database to UTC.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

// utcPtr converts an optional time read back from the database to UTC.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
