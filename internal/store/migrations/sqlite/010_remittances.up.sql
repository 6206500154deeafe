-- 010_remittances: 835 remittances (received from TPAs and emitted by us),
-- their claim payments and service lines, the payment each claim stands at,
-- and the ERA enrollments that say which partner gets a payee's 835s.
-- Keep in step with ../postgres/010_remittances.up.sql. Money is cents.

-- One 835 transaction set: received (direction 'in', from the file's
-- partner) or emitted by us (direction 'out', a denial remittance).
-- state: received (recorded, waiting for the interchange's verdict),
-- forwarded (queued to forward_partner in outbound_file_id, named
-- outbound_name), held (no ERA
-- enrollment for the payee; hold_reason says why), sent (one we emitted).
CREATE TABLE remittances (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    direction          TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    partner_id         TEXT NOT NULL REFERENCES partners (id),
    inbound_file_id    BIGINT REFERENCES inbound_files (id) ON DELETE CASCADE,
    transaction_id     BIGINT REFERENCES transactions (id) ON DELETE SET NULL,
    isa_control        TEXT NOT NULL DEFAULT '',
    group_control      TEXT NOT NULL DEFAULT '',
    set_control        TEXT NOT NULL DEFAULT '',
    isa_offset         BIGINT NOT NULL DEFAULT 0,
    byte_offset        BIGINT NOT NULL DEFAULT 0,
    payer_id           TEXT NOT NULL DEFAULT '',
    payer_name         TEXT NOT NULL DEFAULT '',
    payee_name         TEXT NOT NULL DEFAULT '',
    payee_npi          TEXT NOT NULL DEFAULT '',
    payee_tin          TEXT NOT NULL DEFAULT '',
    handling           TEXT NOT NULL DEFAULT '',
    credit_debit       TEXT NOT NULL DEFAULT '',
    payment_cents      BIGINT NOT NULL DEFAULT 0,
    payment_method     TEXT NOT NULL DEFAULT '',
    payment_date       TEXT NOT NULL DEFAULT '',
    trace_number       TEXT NOT NULL DEFAULT '',
    trace_originator   TEXT NOT NULL DEFAULT '',
    production_date    TEXT NOT NULL DEFAULT '',
    claim_count        INTEGER NOT NULL DEFAULT 0,
    matched_count      INTEGER NOT NULL DEFAULT 0,
    state              TEXT NOT NULL DEFAULT 'received'
        CHECK (state IN ('received', 'forwarded', 'held', 'sent')),
    hold_reason        TEXT NOT NULL DEFAULT '',
    forward_partner    TEXT NOT NULL DEFAULT '',
    outbound_name      TEXT NOT NULL DEFAULT '',
    outbound_file_id   BIGINT REFERENCES outbound_files (id),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
-- A set of a file is recorded once (a reprocess forgets it first).
CREATE UNIQUE INDEX remittances_file_set_key ON remittances (inbound_file_id, byte_offset)
    WHERE inbound_file_id IS NOT NULL;
CREATE INDEX remittances_state_idx ON remittances (state, id);
CREATE INDEX remittances_trace_idx ON remittances (trace_number);

-- One CLP (loop 2100) of a remittance, in file order (seq). claim_id is
-- the claim it matched (NULL: unmatched, listed for an operator; also when
-- the claim was deleted by a reprocess). match_method is how: 'ref' (REF*9A/9C =
-- our control number), 'clm01' (CLP01 + payer + billing provider + charge)
-- or 'operator'; note says why an unmatched one did not match. outcome is
-- paid, partial, denied or reversal. adjustments is the claim-level CAS as
-- JSON [{"group":"CO","reason":"45","amount":1200,"quantity":0}], remarks
-- the MOA/MIA RARCs joined with ";".
CREATE TABLE remit_claims (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    remittance_id       BIGINT NOT NULL REFERENCES remittances (id) ON DELETE CASCADE,
    seq                 INTEGER NOT NULL,
    claim_id            BIGINT REFERENCES claims (id) ON DELETE SET NULL,
    match_method        TEXT NOT NULL DEFAULT '',
    note                TEXT NOT NULL DEFAULT '',
    clp01               TEXT NOT NULL,
    status              TEXT NOT NULL,
    outcome             TEXT NOT NULL,
    charge_cents        BIGINT NOT NULL DEFAULT 0,
    paid_cents          BIGINT NOT NULL DEFAULT 0,
    patient_resp_cents  BIGINT NOT NULL DEFAULT 0,
    filing_indicator    TEXT NOT NULL DEFAULT '',
    payer_claim_number  TEXT NOT NULL DEFAULT '',
    facility            TEXT NOT NULL DEFAULT '',
    frequency           TEXT NOT NULL DEFAULT '',
    claim_ref           TEXT NOT NULL DEFAULT '',
    patient_last        TEXT NOT NULL DEFAULT '',
    patient_first       TEXT NOT NULL DEFAULT '',
    member_id           TEXT NOT NULL DEFAULT '',
    statement_from      TEXT NOT NULL DEFAULT '',
    statement_to        TEXT NOT NULL DEFAULT '',
    adjustments         TEXT NOT NULL DEFAULT '',
    remarks             TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    CONSTRAINT remit_claims_remittance_seq_key UNIQUE (remittance_id, seq)
);
CREATE INDEX remit_claims_claim_idx ON remit_claims (claim_id, id);
CREATE INDEX remit_claims_unmatched_idx ON remit_claims (id) WHERE claim_id IS NULL;

-- One SVC (loop 2110) of a remit claim.
CREATE TABLE remit_lines (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    remit_claim_id      BIGINT NOT NULL REFERENCES remit_claims (id) ON DELETE CASCADE,
    line_no             INTEGER NOT NULL,
    procedure_qualifier TEXT NOT NULL DEFAULT '',
    procedure_code      TEXT NOT NULL DEFAULT '',
    modifiers           TEXT NOT NULL DEFAULT '',
    revenue_code        TEXT NOT NULL DEFAULT '',
    charge_cents        BIGINT NOT NULL DEFAULT 0,
    paid_cents          BIGINT NOT NULL DEFAULT 0,
    allowed_cents       BIGINT,
    units               BIGINT NOT NULL DEFAULT 0,
    service_from        TEXT NOT NULL DEFAULT '',
    service_to          TEXT NOT NULL DEFAULT '',
    line_control        TEXT NOT NULL DEFAULT '',
    adjustments         TEXT NOT NULL DEFAULT '',
    remarks             TEXT NOT NULL DEFAULT '',
    CONSTRAINT remit_lines_claim_line_key UNIQUE (remit_claim_id, line_no)
);

-- The payment a claim stands at, derived from its remit_claims in order
-- (RefreshClaimPayments): status paid, partial, denied or reversed (a
-- reversal not followed by a correction), the amounts and the remit claim
-- of the payment in effect; no row: no payment yet. A table of its own,
-- not columns of claims: recording a remittance then writes a narrow row
-- instead of a new version of a wide, heavily indexed claim, and the
-- claim's state rules (replacement, void, duplicates) stay as they are.
CREATE TABLE claim_payments (
    claim_id           BIGINT PRIMARY KEY REFERENCES claims (id) ON DELETE CASCADE,
    status             TEXT NOT NULL,
    paid_cents         BIGINT NOT NULL DEFAULT 0,
    patient_resp_cents BIGINT NOT NULL DEFAULT 0,
    remit_claim_id     BIGINT NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX claim_payments_status_idx ON claim_payments (status, claim_id);
-- The denial 835 we emitted for a claim (routes with deny_remit).
ALTER TABLE claims ADD COLUMN denial_remittance_id BIGINT;
-- Remittance matching by CLP01 (the submitter's CLM01) across partners.
CREATE INDEX claims_clm01_idx ON claims (clm01);

-- Which partner receives the 835s of a payee, by NPI or TIN. source is
-- 'config' (partners[].era in the configuration, synced at start) or
-- 'cli' (`clearinghouse era enroll`).
CREATE TABLE era_enrollments (
    kind       TEXT NOT NULL CHECK (kind IN ('npi', 'tin')),
    value      TEXT NOT NULL,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    source     TEXT NOT NULL DEFAULT 'cli' CHECK (source IN ('config', 'cli')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, value)
);
CREATE INDEX era_enrollments_partner_idx ON era_enrollments (partner_id);
