-- 003_schedules: repricing fee schedules and contract sets (SQLite).
-- Keep in step with ../postgres/003_schedules.up.sql: same tables, columns and indexes.
-- Dates are TEXT CCYYMMDD ('' = open: effective_from '' has no lower bound,
-- effective_to '' is open-ended). Money is BIGINT cents; RVUs, GPCIs and DRG
-- weights are BIGINT scaled by 10 000 (1.2345 = 12345).

-- One row per imported version of a named schedule. A schedule is
-- identified by (kind, name), the name contracts refer to; each import of
-- new content adds a version and makes it the active one, older versions
-- stay for history. sha256 is the digest of the imported file, so
-- re-importing the same content adds nothing.
CREATE TABLE fee_schedules (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('fee', 'rbrvs', 'gpci', 'perdiem', 'drg', 'case_rate')),
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    source_name TEXT NOT NULL DEFAULT '',
    row_count   INTEGER NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT 0,
    imported_at TIMESTAMP NOT NULL,
    CONSTRAINT fee_schedules_version_key UNIQUE (kind, name, version),
    CONSTRAINT fee_schedules_sha256_key UNIQUE (kind, name, sha256)
);
-- At most one active version per schedule.
CREATE UNIQUE INDEX fee_schedules_active_idx ON fee_schedules (kind, name) WHERE active;

-- The rows of one schedule version, in file order (seq), loaded whole.
-- code holds the key of every kind: procedure or revenue code (fee,
-- rbrvs), locality (gpci), revenue code or facility type (perdiem), DRG
-- (drg), DRG or code (case_rate). amount_cents is the fee, per diem rate
-- or case rate; work/pe/pe_facility/mp are RVUs (rbrvs; pe = non-facility)
-- or GPCIs (gpci); weight is the DRG relative weight. line is the row's
-- line in the imported file.
CREATE TABLE fee_schedule_rows (
    schedule_id    BIGINT NOT NULL REFERENCES fee_schedules (id) ON DELETE CASCADE,
    seq            INTEGER NOT NULL,
    line           INTEGER NOT NULL DEFAULT 0,
    code           TEXT NOT NULL,
    modifier       TEXT NOT NULL DEFAULT '',
    pos            TEXT NOT NULL DEFAULT '',
    amount_cents   BIGINT NOT NULL DEFAULT 0,
    work           BIGINT NOT NULL DEFAULT 0,
    pe             BIGINT NOT NULL DEFAULT 0,
    pe_facility    BIGINT NOT NULL DEFAULT 0,
    mp             BIGINT NOT NULL DEFAULT 0,
    weight         BIGINT NOT NULL DEFAULT 0,
    effective_from TEXT NOT NULL DEFAULT '',
    effective_to   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (schedule_id, seq)
);

-- One row per imported contracts YAML file; the active one is what the
-- repricing engine loads. sha256 makes re-importing the same file a no-op.
CREATE TABLE contract_sets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256      TEXT NOT NULL,
    source_name TEXT NOT NULL DEFAULT '',
    yaml        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT 0,
    imported_at TIMESTAMP NOT NULL,
    CONSTRAINT contract_sets_sha256_key UNIQUE (sha256)
);
-- At most one active contract set.
CREATE UNIQUE INDEX contract_sets_active_idx ON contract_sets (active) WHERE active;
