-- claims_clm01_id_idx (clm01, id) serves every lookup by CLM01. (The
-- PostgreSQL migration 016 also makes claims.transaction_id's reference
-- deferrable; SQLite records the reference after the insert as before.)
DROP INDEX claims_clm01_idx;
-- Most claims replace nothing, and none is bound to an outbound file when
-- it is inserted: indexes of the rows that have one only (every lookup
-- names a value, which implies NOT NULL), so inserting a claim touches two
-- indexes fewer.
DROP INDEX claims_replaces_idx;
CREATE INDEX claims_replaces_idx ON claims (replaces_claim_id) WHERE replaces_claim_id IS NOT NULL;
DROP INDEX claims_outbound_file_idx;
CREATE INDEX claims_outbound_file_idx ON claims (outbound_file_id) WHERE outbound_file_id IS NOT NULL;
