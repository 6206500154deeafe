-- 014_portal_users: web portal accounts, sessions and the PHI audit (SQLite).
-- Keep in step with ../postgres/014_portal_users.up.sql: same tables, columns and indexes.

-- One portal account. Provider roles belong to one submitter partner
-- (partner_id); admin and operator see every partner (partner_id NULL).
-- password_hash is a bcrypt hash; totp_secret the base32 RFC 6238 secret
-- ('' = no second factor). Access lapses renewal_days after renewed_at;
-- failed_logins counts consecutive failures, and locked_at is set at the
-- third until an admin unlocks; disabled_at is set by an admin or by the
-- inactivity job (disabled_reason 'inactive').
CREATE TABLE portal_users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT NOT NULL,
    role            TEXT NOT NULL
        CHECK (role IN ('admin', 'operator', 'provider-admin', 'provider-user')),
    partner_id      TEXT REFERENCES partners (id),
    password_hash   TEXT NOT NULL,
    totp_secret     TEXT NOT NULL DEFAULT '',
    totp_last_step  BIGINT NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_at       TIMESTAMP,
    disabled_at     TIMESTAMP,
    disabled_reason TEXT NOT NULL DEFAULT '',
    renewed_at      TIMESTAMP NOT NULL,
    last_login_at   TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    CONSTRAINT portal_users_username_key UNIQUE (username),
    CONSTRAINT portal_users_partner_check CHECK (
        (role IN ('admin', 'operator') AND partner_id IS NULL) OR
        (role IN ('provider-admin', 'provider-user') AND partner_id IS NOT NULL))
);
CREATE INDEX portal_users_partner_idx ON portal_users (partner_id, id);

-- The billing NPIs and TINs a provider user may see claims of (kind 'npi'
-- or 'tin'). None: every claim of the user's partner.
CREATE TABLE portal_user_scopes (
    user_id BIGINT NOT NULL REFERENCES portal_users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL CHECK (kind IN ('npi', 'tin')),
    value   TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, value)
);

-- Sessions: only the SHA-256 of the cookie's token is kept. mfa_pending
-- marks a session whose password was right but whose TOTP code is still due.
CREATE TABLE portal_sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES portal_users (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    mfa_pending  BOOLEAN NOT NULL DEFAULT 0,
    client_ip    TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX portal_sessions_user_idx ON portal_sessions (user_id);

-- Every login attempt, good or bad (user_id NULL for an unknown name).
CREATE TABLE portal_login_attempts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   BIGINT REFERENCES portal_users (id) ON DELETE SET NULL,
    username  TEXT NOT NULL,
    at        TIMESTAMP NOT NULL,
    client_ip TEXT NOT NULL DEFAULT '',
    ok        BOOLEAN NOT NULL,
    reason    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX portal_login_attempts_user_idx ON portal_login_attempts (user_id, id);

-- Every renewal of a user's access, and by whom.
CREATE TABLE portal_renewals (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES portal_users (id) ON DELETE CASCADE,
    renewed_by TEXT NOT NULL,
    at         TIMESTAMP NOT NULL
);
CREATE INDEX portal_renewals_user_idx ON portal_renewals (user_id, id);

-- The PHI audit: who (user_name, client_ip) saw which member or claim.
ALTER TABLE audit_log ADD COLUMN user_name TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN client_ip TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN member_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN claim_control TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_user_idx ON audit_log (user_name, id);
CREATE INDEX audit_log_member_idx ON audit_log (member_id, id);

-- The portal's claim search, newest first and read by keyset: a partner's
-- claims (by state), everyone's by state, by CLM01 across partners
-- (operators), by first date of service. (state, id) replaces (state).
-- Billing-NPI scopes filter within the partner's (measured: docs/portal.md);
-- every index here is paid for on each claim written, so there are no more.
CREATE INDEX claims_partner_id_idx ON claims (partner_id, id);
CREATE INDEX claims_partner_state_id_idx ON claims (partner_id, state, id);
CREATE INDEX claims_state_id_idx ON claims (state, id);
DROP INDEX claims_state_idx;
CREATE INDEX claims_clm01_id_idx ON claims (clm01, id);
CREATE INDEX claims_service_from_id_idx ON claims (service_from, id);
