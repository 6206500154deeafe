-- 002_members: member roster and roster import bookkeeping (SQLite).
-- Keep in step with ../postgres/002_members.up.sql: same tables, columns and indexes.
-- X12 dates are TEXT CCYYMMDD ('' when absent; coverage_end '' = open-ended).
-- Every name, ID and date in members is PHI.

-- One row per enrolled person. The natural key follows the 834 import
-- logic (x12-reference §8): the family (REF*0F subscriber ID), the
-- relationship (INS02), the birth sequence (INS17) and the member ID the
-- person is identified by on claims. member_id_fold (upper case) and
-- member_id_stem (member_id without a trailing 2-digit suffix, '' when it
-- has none) are derived by the store for the eligibility diagnostics.
CREATE TABLE members (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id      TEXT NOT NULL,
    member_id_fold TEXT NOT NULL,
    member_id_stem TEXT NOT NULL DEFAULT '',
    family_id      TEXT NOT NULL,
    relationship   TEXT NOT NULL DEFAULT '18',
    birth_seq      TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL DEFAULT '',
    first_name     TEXT NOT NULL DEFAULT '',
    middle         TEXT NOT NULL DEFAULT '',
    dob            TEXT NOT NULL DEFAULT '',
    gender         TEXT NOT NULL DEFAULT '',
    coverage_start TEXT NOT NULL DEFAULT '',
    coverage_end   TEXT NOT NULL DEFAULT '',
    plan           TEXT NOT NULL DEFAULT '',
    group_number   TEXT NOT NULL DEFAULT '',
    tpa            TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    CONSTRAINT members_key UNIQUE (family_id, relationship, birth_seq, member_id)
);
CREATE INDEX members_member_id_idx ON members (member_id);
CREATE INDEX members_member_id_fold_idx ON members (member_id_fold);
CREATE INDEX members_member_id_stem_idx ON members (member_id_stem);
CREATE INDEX members_family_id_idx ON members (family_id);
CREATE INDEX members_tpa_idx ON members (tpa, id);

-- One row per roster file applied; sha256 makes a second import of the
-- same content a no-op.
CREATE TABLE roster_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL DEFAULT '',
    sha256      TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('csv', '834')),
    added       INTEGER NOT NULL DEFAULT 0,
    changed     INTEGER NOT NULL DEFAULT 0,
    termed      INTEGER NOT NULL DEFAULT 0,
    reinstated  INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    imported_at TIMESTAMP NOT NULL,
    CONSTRAINT roster_imports_sha256_key UNIQUE (sha256)
);
