-- 001_init: the clearinghouse schema (SQLite).
-- Keep in step with ../postgres/001_init.up.sql: same tables, columns and indexes.
-- Times are TIMESTAMP text (driver format, UTC) written by the application; X12 dates are TEXT CCYYMMDD.

CREATE TABLE partners (
    id         TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE inbound_files (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id      TEXT NOT NULL REFERENCES partners (id),
    name            TEXT NOT NULL,
    remote_path     TEXT NOT NULL DEFAULT '',
    sha256          TEXT NOT NULL,
    size            BIGINT NOT NULL DEFAULT 0,
    spool_path      TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'received'
        CHECK (state IN ('received', 'processing', 'processed', 'rejected', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT NOT NULL DEFAULT '',
    lease_until     TIMESTAMP,
    error           TEXT NOT NULL DEFAULT '',
    received_at     TIMESTAMP NOT NULL,
    processed_at    TIMESTAMP,
    interchanges    INTEGER NOT NULL DEFAULT 0,
    transactions    INTEGER NOT NULL DEFAULT 0,
    tx_accepted     INTEGER NOT NULL DEFAULT 0,
    tx_rejected     INTEGER NOT NULL DEFAULT 0,
    claims_accepted INTEGER NOT NULL DEFAULT 0,
    claims_rejected INTEGER NOT NULL DEFAULT 0,
    summary         TEXT NOT NULL DEFAULT '',
    CONSTRAINT inbound_files_partner_sha256_key UNIQUE (partner_id, sha256)
);
CREATE INDEX inbound_files_claim_idx ON inbound_files (state, received_at, id);

CREATE TABLE interchanges (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    inbound_file_id BIGINT NOT NULL REFERENCES inbound_files (id) ON DELETE CASCADE,
    sender_qual     TEXT NOT NULL DEFAULT '',
    sender_id       TEXT NOT NULL,
    receiver_qual   TEXT NOT NULL DEFAULT '',
    receiver_id     TEXT NOT NULL,
    control         TEXT NOT NULL,
    isa_date        TEXT NOT NULL DEFAULT '',
    isa_time        TEXT NOT NULL DEFAULT '',
    usage           TEXT NOT NULL DEFAULT '',
    ta1_ack         TEXT NOT NULL DEFAULT '',
    ta1_note        TEXT NOT NULL DEFAULT '',
    byte_offset     BIGINT NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX interchanges_dup_idx ON interchanges (sender_id, receiver_id, control);
CREATE INDEX interchanges_file_idx ON interchanges (inbound_file_id);

CREATE TABLE groups (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    interchange_id BIGINT NOT NULL REFERENCES interchanges (id) ON DELETE CASCADE,
    functional_id  TEXT NOT NULL,
    control        TEXT NOT NULL,
    version        TEXT NOT NULL DEFAULT '',
    ack            TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX groups_interchange_idx ON groups (interchange_id);

CREATE TABLE transactions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id    BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    set_id      TEXT NOT NULL,
    control     TEXT NOT NULL,
    version     TEXT NOT NULL DEFAULT '',
    ack         TEXT NOT NULL DEFAULT '',
    error_count INTEGER NOT NULL DEFAULT 0,
    byte_offset BIGINT NOT NULL DEFAULT 0,
    seg_count   INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX transactions_group_idx ON transactions (group_id);

CREATE TABLE claims (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id    BIGINT REFERENCES transactions (id),
    inbound_file_id   BIGINT NOT NULL REFERENCES inbound_files (id),
    partner_id        TEXT NOT NULL REFERENCES partners (id),
    control_number    TEXT NOT NULL,
    clm01             TEXT NOT NULL,
    claim_type        TEXT NOT NULL CHECK (claim_type IN ('P', 'I')),
    frequency         TEXT NOT NULL DEFAULT '',
    ref_f8            TEXT NOT NULL DEFAULT '',
    replaces_claim_id BIGINT REFERENCES claims (id),
    state             TEXT NOT NULL,
    reasons           TEXT NOT NULL DEFAULT '',
    billed_cents      BIGINT NOT NULL DEFAULT 0,
    allowed_cents     BIGINT,
    payer_id          TEXT NOT NULL DEFAULT '',
    submitter_id      TEXT NOT NULL DEFAULT '',
    billing_npi       TEXT NOT NULL DEFAULT '',
    billing_tin       TEXT NOT NULL DEFAULT '',
    member_id         TEXT NOT NULL DEFAULT '',
    patient_last      TEXT NOT NULL DEFAULT '',
    patient_first     TEXT NOT NULL DEFAULT '',
    patient_dob       TEXT NOT NULL DEFAULT '',
    service_from      TEXT NOT NULL DEFAULT '',
    service_to        TEXT NOT NULL DEFAULT '',
    fingerprint       TEXT NOT NULL DEFAULT '',
    suspect_key       TEXT NOT NULL DEFAULT '',
    raw_offset        BIGINT NOT NULL DEFAULT 0,
    raw_length        BIGINT NOT NULL DEFAULT 0,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    CONSTRAINT claims_control_number_key UNIQUE (control_number)
);
CREATE INDEX claims_partner_clm01_idx ON claims (partner_id, clm01);
CREATE INDEX claims_fingerprint_idx ON claims (fingerprint);
CREATE INDEX claims_suspect_key_idx ON claims (suspect_key);
CREATE INDEX claims_inbound_file_idx ON claims (inbound_file_id);
CREATE INDEX claims_state_idx ON claims (state);
CREATE INDEX claims_replaces_idx ON claims (replaces_claim_id);

CREATE TABLE claim_lines (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id      BIGINT NOT NULL REFERENCES claims (id) ON DELETE CASCADE,
    line_no       INTEGER NOT NULL,
    code          TEXT NOT NULL,
    modifiers     TEXT NOT NULL DEFAULT '',
    units         BIGINT NOT NULL DEFAULT 0,
    unit_type     TEXT NOT NULL DEFAULT '',
    charge_cents  BIGINT NOT NULL DEFAULT 0,
    allowed_cents BIGINT,
    service_from  TEXT NOT NULL DEFAULT '',
    service_to    TEXT NOT NULL DEFAULT '',
    revenue_code  TEXT NOT NULL DEFAULT '',
    CONSTRAINT claim_lines_claim_line_key UNIQUE (claim_id, line_no)
);

CREATE TABLE outbound_files (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id      TEXT NOT NULL REFERENCES partners (id),
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    spool_path      TEXT NOT NULL DEFAULT '',
    sha256          TEXT NOT NULL DEFAULT '',
    size            BIGINT NOT NULL DEFAULT 0,
    inbound_file_id BIGINT REFERENCES inbound_files (id),
    state           TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivering', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT NOT NULL DEFAULT '',
    lease_until     TIMESTAMP,
    available_at    TIMESTAMP,
    error           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP,
    CONSTRAINT outbound_files_partner_name_key UNIQUE (partner_id, name)
);
CREATE INDEX outbound_files_claim_idx ON outbound_files (state, available_at, id);
CREATE INDEX outbound_files_inbound_idx ON outbound_files (inbound_file_id);

CREATE TABLE control_numbers (
    partner_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    last_value BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, kind)
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TIMESTAMP NOT NULL,
    actor     TEXT NOT NULL DEFAULT '',
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL DEFAULT '',
    entity_id TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id);
