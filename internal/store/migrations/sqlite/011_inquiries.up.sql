-- 011_inquiries: what 270/271 eligibility and 276/277 claim status answers
-- need (SQLite). Keep in step with ../postgres/011_inquiries.up.sql.

-- The 271 EB02 coverage level and EB04 insurance type of a member's
-- coverage; '' when the roster does not say.
ALTER TABLE members ADD COLUMN coverage_level TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN insurance_type TEXT NOT NULL DEFAULT '';

-- Real-time credentials (see the PostgreSQL migration): only the SHA-256
-- of each 256-bit random secret is kept.
CREATE TABLE partner_credentials (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id  TEXT NOT NULL REFERENCES partners (id),
    secret_hash TEXT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP,
    CONSTRAINT partner_credentials_secret_hash_key UNIQUE (secret_hash)
);
CREATE INDEX partner_credentials_partner_idx ON partner_credentials (partner_id);

-- 276 matching without a claim number: a partner's claims of one member.
CREATE INDEX claims_partner_member_idx ON claims (partner_id, member_id);
