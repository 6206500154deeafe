// Package store is the clearinghouse's only persistent state: partners,
// received and outgoing files, the envelopes and claims parsed from them,
// control-number sequences and the audit log.
//
// # Engines
//
// One logical schema runs on two engines through sqlx:
//
//   - PostgreSQL (lib/pq) for production; any number of engine processes
//     may share one database.
//   - SQLite (modernc.org/sqlite, pure Go) as the embedded default. The
//     store opens it with WAL, busy_timeout, foreign_keys on, temp_store
//     in memory, BEGIN IMMEDIATE transactions and one connection per Store
//     (the single writer), so writes in a process queue instead of failing
//     with SQLITE_BUSY.
//
// The repository's statements are prepared once and kept (per Store, and
// per transaction inside one). Behind a PostgreSQL
// connection pooler in transaction mode (PgBouncer), named prepared
// statements need its prepared-statement support (max_prepared_statements).
//
// [Open] picks the engine from the URL: postgres:// or postgresql:// is
// PostgreSQL; sqlite:PATH, file:PATH or a bare path is SQLite. SQL is
// written once with ? placeholders and rebound for PostgreSQL; the only
// dialect-specific clause is FOR UPDATE SKIP LOCKED. Both engines support
// INSERT ... ON CONFLICT and RETURNING, which the store uses for
// idempotent inserts, sequences and atomic claims.
//
// # Conventions
//
// Timestamps are written in UTC, truncated to microseconds, from the
// Config.Now clock (so tests can drive leases without sleeping):
// TIMESTAMPTZ on PostgreSQL, TIMESTAMP text "2006-01-02 15:04:05.999999+00:00"
// on SQLite, which sorts and compares correctly as text. Every time read
// back is in UTC. X12 dates (dates of service, DOB) are TEXT CCYYMMDD, ""
// when absent. Money is int64 cents. Service units are int64 thousandths
// (1.5 units = 1500). Optional values are pointers (nil = NULL). IDs are
// int64 identities except partners.id, the configured partner ID.
//
// # Schema
//
//	partners         id (text pk), name, created_at
//	inbound_files    one row per (partner_id, sha256): name, remote_path,
//	                 size, spool_path (the raw bytes: a spool directory
//	                 path, or pg:<id> of a spool blob), state, attempts,
//	                 lease_owner, lease_until, error, received_at,
//	                 processed_at, result counters, summary
//	interchanges     ISA..IEA of an inbound file; index (sender_id,
//	                 receiver_id, control) for duplicate-ISA13 detection
//	groups           GS..GE of an interchange (functional_id, control,
//	                 version, ack = AK901)
//	transactions     ST..SE of a group (set_id, control, version,
//	                 ack = IK501, error_count, byte_offset, seg_count)
//	claims           one CLM loop: our unique control_number, clm01,
//	                 claim_type P/I, frequency, ref_f8, replaces_claim_id,
//	                 state, reasons, money, parties, patient (PHI), dates,
//	                 fingerprint and suspect_key (indexed, for dedupe), the
//	                 claim's byte span in the spooled file
//	claim_lines      service lines (claim_id, line_no unique)
//	outbound_files   one row per (partner_id, name): kind, spool_path,
//	                 sha256, inbound_file_id, state, attempts, lease,
//	                 available_at (retry time), error, delivered_at
//	control_numbers  (partner_id, kind) → last_value
//	audit_log        at, actor, action, entity, entity_id, detail
//	spool_blobs      PostgreSQL only: spooled content (internal/spool's
//	                 postgres backend): area, chunk_size, size and sha256
//	                 once finished, referenced (set by the transaction
//	                 that records the row naming it), created_at
//	spool_chunks     PostgreSQL only: (blob_id, seq) → data bytea
//
// Migrations are embedded from migrations/postgres and migrations/sqlite,
// NNN_name.up.sql and NNN_name.down.sql in each, the same versions and
// names in both (a test checks that, and that both engines end up with
// the same tables and columns but the PostgreSQL-only spool tables).
//
// # Migration runner
//
// Migrations run through goose's Provider API (goose.NewProvider on the
// *sql.DB inside the *sqlx.DB). goose's own SQL files hold up and down in
// one file with "-- +goose Up/Down" annotations and cannot read separate
// .up.sql/.down.sql files, so the store reads its embedded pairs
// ([Migrations]) and hands goose one migration per version whose up and
// down run the file's SQL as a whole in a transaction. goose keeps the
// version table (goose_db_version), ordering and status; on PostgreSQL it
// also holds a session advisory lock, keyed by the current schema, so
// engine processes starting together migrate one at a time. That is less
// code and less risk than a runner of our own, and the files stay plain
// SQL that any tool can apply.
//
// # Work claiming and leases
//
// Inbound and outbound files are work queues in the database, shared by
// all processes. A worker claims one row with [Queries.ClaimInbound] or
// [Queries.ClaimOutbound]: a single UPDATE ... WHERE id = (SELECT ...
// LIMIT 1) RETURNING statement that moves the oldest claimable row to
// processing/delivering, sets lease_owner and lease_until = now+lease and
// increments attempts. On PostgreSQL the subquery uses FOR UPDATE SKIP
// LOCKED, so concurrent claimers skip each other's rows instead of
// waiting or double-claiming; on SQLite the statement holds the single
// write lock. Nothing claimable returns [ErrNoWork].
//
// A row is claimable when it waits (received; pending, or failed with
// available_at reached) or when its lease has expired: the owner is
// presumed dead and another worker takes the row over (attempts shows the
// retries). Outbound files are also first in, first out per partner: one
// is not claimable while an older file of its partner is undelivered and
// not parked, so a failed head of the queue holds its partner's later
// files until its retry time. An instance restarting under the same
// owner name hands its own leases back at once with
// ReleaseOutboundLeases instead of waiting for them to expire. An owner that needs longer renews with RenewInbound or
// RenewOutbound. Every completion (FinishInbound, MarkDelivered,
// MarkOutboundFailed) matches on the owner as well as the id, so a worker
// whose lease was taken over gets [ErrLeaseLost] and must drop its
// results. Owners must be unique per worker (e.g. host/pid/n). Lease
// expiry compares against the writing process's clock: keep hosts in NTP
// sync and leases much longer than the expected skew.
//
// Recording is idempotent: RecordInbound returns the existing row for the
// same (partner, sha256) and EnqueueOutbound for the same (partner,
// name), each with created=false, so a crash between spooling and
// recording is retried safely. NextControlNumber is one atomic upsert per
// call, unique across processes.
//
// # Transactions
//
// [Store] and [Tx] both embed [Queries], which holds every repository
// method. [Store.InTx] runs several of them atomically; code that should
// work either way takes a *Queries. Inside InTx use only the Tx: on SQLite
// the Store's single connection belongs to the transaction. Methods that
// need several statements (InsertClaim, SetAllowed, RecordInbound) open
// their own transaction on a Store and join the caller's on a Tx.
//
// # Usage
//
//	s, err := store.Open(ctx, "sqlite:/var/lib/clearinghouse/ch.db")
//	if err != nil { ... }
//	defer s.Close()
//	if err := s.Migrate(ctx); err != nil { ... }
//
//	f, created, err := s.RecordInbound(ctx, store.InboundFile{PartnerID: "acme",
//		Name: "claims.x12", SHA256: sum, Size: n, SpoolPath: spooled})
//
//	// In each worker:
//	f, err := s.ClaimInbound(ctx, owner, 5*time.Minute)
//	if errors.Is(err, store.ErrNoWork) { ... sleep ... }
//	err = s.InTx(ctx, func(tx *store.Tx) error {
//		// record interchanges, claims, outbound acks ...
//		return tx.FinishInbound(ctx, f.ID, owner, store.InboundResult{State: store.InboundProcessed})
//	})
//	if errors.Is(err, store.ErrLeaseLost) { ... another worker owns it now ... }
//
// Tests use package internal/dbtest for a fresh, migrated store on each
// engine.
package store
