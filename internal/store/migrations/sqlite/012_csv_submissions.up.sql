-- 012_csv_submissions: CSV submissions (batch claims and supplemental
-- clinical data), their rejected rows, the stored clinical results and the
-- nightly file-status history (SQLite). Keep in step with
-- ../postgres/012_csv_submissions.up.sql. See docs/csv.md.

-- One row per processed CSV inbound file (a reprocess replaces it).
-- derived_file_id is the 837P the claims layout was converted to (an
-- inbound file of the same partner, processed like any 837).
CREATE TABLE csv_submissions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    inbound_file_id BIGINT NOT NULL REFERENCES inbound_files (id) ON DELETE CASCADE,
    partner_id      TEXT NOT NULL,
    layout          TEXT NOT NULL CHECK (layout IN ('claims', 'results')),
    derived_file_id BIGINT REFERENCES inbound_files (id),
    rows_total      INTEGER NOT NULL DEFAULT 0,
    rows_accepted   INTEGER NOT NULL DEFAULT 0,
    rows_rejected   INTEGER NOT NULL DEFAULT 0,
    claims          INTEGER NOT NULL DEFAULT 0,
    received_at     TIMESTAMP NOT NULL,
    processed_at    TIMESTAMP NOT NULL,
    CONSTRAINT csv_submissions_inbound_key UNIQUE (inbound_file_id)
);
CREATE INDEX csv_submissions_received_idx ON csv_submissions (received_at, id);
CREATE INDEX csv_submissions_derived_idx ON csv_submissions (derived_file_id);

-- Every rejected row with the column and the reason (code + text). A row
-- may have several errors (seq).
CREATE TABLE csv_row_errors (
    submission_id BIGINT NOT NULL REFERENCES csv_submissions (id) ON DELETE CASCADE,
    row_no        INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    col           TEXT NOT NULL DEFAULT '',
    code          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    PRIMARY KEY (submission_id, row_no, seq)
);

-- The rows each converted claim came from (rows of a claim are
-- contiguous); the unique key refuses a claim key used twice in a file.
CREATE TABLE csv_claims (
    submission_id BIGINT NOT NULL REFERENCES csv_submissions (id) ON DELETE CASCADE,
    claim_key     TEXT NOT NULL,
    first_row     INTEGER NOT NULL,
    last_row      INTEGER NOT NULL,
    PRIMARY KEY (submission_id, claim_key)
);

-- Accepted supplemental clinical data rows. Names, IDs, dates and values
-- are PHI.
CREATE TABLE clinical_results (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id BIGINT NOT NULL REFERENCES csv_submissions (id) ON DELETE CASCADE,
    partner_id    TEXT NOT NULL,
    row_no        INTEGER NOT NULL,
    member_id     TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    dob           TEXT NOT NULL,
    service_date  TEXT NOT NULL,
    code_system   TEXT NOT NULL,
    code          TEXT NOT NULL,
    value         TEXT NOT NULL DEFAULT '',
    unit          TEXT NOT NULL DEFAULT '',
    rendering_npi TEXT NOT NULL DEFAULT '',
    member_tpa    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX clinical_results_service_idx ON clinical_results (service_date, id);
CREATE INDEX clinical_results_submission_idx ON clinical_results (submission_id);

-- One row per nightly report day and submitter: the trend alert reads the
-- last N nights of a submitter.
CREATE TABLE report_days (
    day          TEXT NOT NULL,
    partner_id   TEXT NOT NULL,
    files        INTEGER NOT NULL DEFAULT 0,
    rows_total   INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    flagged      BOOLEAN NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, day)
);
