package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
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
	stmts   stmtCache
	// The asynchronous-commit pool (AsyncCommit): PostgreSQL sessions
	// with synchronous_commit off, opened on first use.
	asyncOnce  sync.Once
	asyncDSN   string
	asyncMax   int
	async      *Queries
	asyncDB    *sqlx.DB
	asyncStmts stmtCache
	asyncErr   error
}

// Tx is a database transaction opened by [Store.InTx]. It embeds
// [Queries], so the same repository methods run inside the transaction.
type Tx struct {
	*Queries
	sqlTx *sqlx.Tx
	// stmts are the statements prepared on this transaction (closed by
	// database/sql when it ends).
	stmts stmtCache
}

// Prepared statements. Parsing the SQL of every call cost SQLite about
// half of a duplicate check and a fifth of processing a file, so the
// repository's queries are prepared once: per Store for calls outside a
// transaction, per transaction inside one (a statement must be prepared
// on the transaction itself: on SQLite the only connection is the
// transaction's, and preparing on the pool would wait for it forever).
// Queries with many arguments (the IN lists of chunked updates, whose
// length varies) are not cached, and neither is anything once a cache
// holds maxCachedStmts statements.
const (
	maxCachedStmts = 512
	maxStmtArgs    = 32
)

// stmtCache holds the Store's prepared statements by (rebound) query.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sqlx.Stmt
}

// get returns the prepared statement of query, preparing it with prepare
// when it is not cached; nil (and no error) when the cache is full.
func (c *stmtCache) get(ctx context.Context, query string, prepare func(context.Context, string) (*sqlx.Stmt, error)) (*sqlx.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	if len(c.m) >= maxCachedStmts {
		return nil, nil
	}
	st, err := prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*sqlx.Stmt{}
	}
	c.m[query] = st
	return st, nil
}

// reset closes and forgets every statement (after a schema change, as
// PostgreSQL refuses a cached plan whose result columns changed).
func (c *stmtCache) reset() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, st := range c.m {
		errs = append(errs, st.Close())
	}
	c.m = nil
	return errors.Join(errs...)
}

// stmt returns the prepared statement for query (already rebound), or nil
// when it is not to be prepared (many arguments, full cache).
func (q *Queries) stmt(ctx context.Context, query string, nargs int) (*sqlx.Stmt, error) {
	if nargs > maxStmtArgs {
		return nil, nil
	}
	if tx := q.tx; tx != nil {
		return tx.stmts.get(ctx, query, tx.sqlTx.PreparexContext)
	}
	if q.async {
		return q.store.asyncStmts.get(ctx, query, q.store.asyncDB.PreparexContext)
	}
	return q.store.stmts.get(ctx, query, q.store.db.PreparexContext)
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
	async   bool // on the asynchronous-commit pool (Store.AsyncCommit)
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
	dbFile := ""
	if dialect == DialectSQLite {
		driver = "sqlite"
		if dbFile = sqliteFile(dsn); dbFile != "" {
			if err := createPrivate(dbFile); err != nil {
				return nil, fmt.Errorf("store: open sqlite: %w", err)
			}
		}
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
	if dbFile != "" {
		// SQLite gives its -wal and -shm files the database file's mode;
		// ones left by an earlier version are closed here.
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			if err := chmodPrivate(dbFile + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				db.Close()
				return nil, fmt.Errorf("store: open sqlite: %w", err)
			}
		}
	}
	s := &Store{db: db, dialect: dialect, asyncDSN: dsn, asyncMax: max(2, cfg.MaxOpenConns/2)}
	now := cfg.Now
	s.Queries = &Queries{
		ext:     db,
		store:   s,
		dialect: dialect,
		clock:   func() time.Time { return now().UTC().Truncate(time.Microsecond) },
	}
	return s, nil
}

// sqliteFile returns the database file of a SQLite DSN, or "" for an
// in-memory database.
func sqliteFile(dsn string) string {
	p, q, _ := strings.Cut(dsn, "?")
	if p == ":memory:" || strings.Contains(q, "mode=memory") || strings.Contains(p, "mode=memory") {
		return ""
	}
	if rest, ok := strings.CutPrefix(p, "file:"); ok {
		if strings.HasPrefix(rest, "//") || rest == ":memory:" {
			return "" // a URI with an authority: left to SQLite
		}
		p = rest
	}
	return p
}

// createPrivate creates the SQLite database file readable by its owner
// only (it holds PHI), before SQLite would create it with the umask's
// mode, and closes an existing one to other users.
func createPrivate(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return chmodPrivate(name)
}

// chmodPrivate takes every group and other permission off name.
func chmodPrivate(name string) error {
	fi, err := os.Stat(name)
	if err != nil {
		return err
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return os.Chmod(name, m&^0o077)
	}
	return nil
}

// parseURL maps a store URL to a dialect and a driver DSN.
func parseURL(raw string, busy time.Duration) (dialect, dsn string, err error) {
	lower := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		u, err := url.Parse(raw)
		if err != nil {
			return "", "", fmt.Errorf("store: bad postgres url: %w", err)
		}
		// A statement with parameters is one round trip instead of two
		// (lib/pq otherwise asks the server for the parameter types
		// first): about half the waiting of every lookup a file's
		// recorder makes (issue #11). The store passes []byte only for
		// bytea, which this mode sends as binary. A URL that sets it is
		// kept.
		if q := u.Query(); !q.Has("binary_parameters") {
			q.Set("binary_parameters", "yes")
			u.RawQuery = q.Encode()
			raw = u.String()
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
	// Statement journals (written for every INSERT inside a transaction)
	// and temporary tables stay in memory, not in temporary files.
	params.Add("_pragma", "temp_store(MEMORY)")
	// A page cache of 32 MiB instead of SQLite's 2 MiB: a file's claims go
	// into ten indexes keyed by hashes (fingerprint, suspect key), whose
	// pages are touched at random; with the default cache a 100 k-claim
	// file spent a sixth of its CPU time re-reading and spilling pages
	// (issue #11). A cache_size the URL sets is kept.
	if !slices.ContainsFunc(params["_pragma"], func(p string) bool { return strings.HasPrefix(strings.ToLower(p), "cache_size") }) {
		params.Add("_pragma", "cache_size(-32768)")
	}
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
	err := errors.Join(s.stmts.reset(), s.db.Close())
	if s.asyncDB != nil {
		err = errors.Join(err, s.asyncStmts.reset(), s.asyncDB.Close())
	}
	return err
}

// AsyncCommit returns the repository methods on a pool whose commits do
// not wait for their WAL to reach the disk (PostgreSQL sessions with
// synchronous_commit off; on SQLite the Store's own Queries). Use it only
// for rows that matter once a later, ordinary commit refers to them —
// spooled content, control numbers drawn for a file being processed: that
// commit flushes the WAL up to itself, the earlier asynchronous commits
// included, so they are as durable as it is; if the database server
// crashes before it, they may be lost, unreferenced. It saves the fsync
// such a commit would cost (issue #11: three per 837 set).
func (s *Store) AsyncCommit() (*Queries, error) {
	if s.dialect != DialectPostgres {
		return s.Queries, nil
	}
	s.asyncOnce.Do(func() {
		dsn, err := withRuntimeParam(s.asyncDSN, "synchronous_commit", "off")
		if err != nil {
			s.asyncErr = err
			return
		}
		db, err := sqlx.Open("postgres", dsn)
		if err != nil {
			s.asyncErr = fmt.Errorf("store: open asynchronous-commit pool: %w", err)
			return
		}
		db.SetMaxOpenConns(s.asyncMax)
		db.SetMaxIdleConns(s.asyncMax)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.asyncDB = db
		s.async = &Queries{ext: db, store: s, dialect: s.dialect, clock: s.Queries.clock, async: true}
	})
	return s.async, s.asyncErr
}

// withRuntimeParam adds a run-time parameter, sent at connection start
// (lib/pq passes on the keys it does not know), to a PostgreSQL URL (the
// only DSN form parseURL gives for PostgreSQL).
func withRuntimeParam(dsn, key, value string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("store: bad postgres url: %w", err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
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
	tx := &Tx{sqlTx: sqlTx}
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
	query = q.rebind(query)
	st, err := q.stmt(ctx, query, len(args))
	if err != nil {
		return err
	}
	if st != nil {
		err = st.GetContext(ctx, dest, args...)
	} else {
		err = sqlx.GetContext(ctx, ext, dest, query, args...)
	}
	if err != nil {
		if errors.Is(err, sqlNoRows) {
			return ErrNotFound
		}
		return err
	}
	return nil
}

// insertOrGet runs insert, an INSERT ... ON CONFLICT DO NOTHING RETURNING
// the row, into dest and reports created; when the row exists already (the
// insert returns nothing) it reads it with sel into dest instead. Call it
// inside a transaction, so the row cannot vanish in between.
func (q *Queries) insertOrGet(ctx context.Context, dest any, insert string, insertArgs []any, sel string, selArgs ...any) (created bool, err error) {
	err = q.get(ctx, dest, insert, insertArgs...)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	return false, q.get(ctx, dest, sel, selArgs...)
}

// selectAll runs query (with ? placeholders) and scans every row into dest.
func (q *Queries) selectAll(ctx context.Context, dest any, query string, args ...any) error {
	ext, err := q.conn(ctx)
	if err != nil {
		return err
	}
	query = q.rebind(query)
	st, err := q.stmt(ctx, query, len(args))
	if err != nil {
		return err
	}
	if st != nil {
		return st.SelectContext(ctx, dest, args...)
	}
	return sqlx.SelectContext(ctx, ext, dest, query, args...)
}

// exec runs a statement (with ? placeholders) and returns the number of
// rows it affected.
func (q *Queries) exec(ctx context.Context, query string, args ...any) (int64, error) {
	ext, err := q.conn(ctx)
	if err != nil {
		return 0, err
	}
	query = q.rebind(query)
	st, err := q.stmt(ctx, query, len(args))
	if err != nil {
		return 0, err
	}
	var res sql.Result
	if st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = ext.ExecContext(ctx, query, args...)
	}
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
