-- Processing inserts a set's claims with the ID of their transactions row
-- drawn ahead, and records that row when the interchange ends (its group
-- and interchange verdicts are known only then): the reference is checked
-- at commit in those transactions (SET CONSTRAINTS … DEFERRED), instead of
-- every claim row being written twice (issue #11).
ALTER TABLE claims ALTER CONSTRAINT claims_transaction_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
-- claims_clm01_id_idx (clm01, id) serves every lookup by CLM01.
DROP INDEX claims_clm01_idx;
-- Most claims replace nothing, and none is bound to an outbound file when
-- it is inserted: indexes of the rows that have one only (every lookup
-- names a value, which implies NOT NULL), so inserting a claim touches two
-- indexes fewer.
DROP INDEX claims_replaces_idx;
CREATE INDEX claims_replaces_idx ON claims (replaces_claim_id) WHERE replaces_claim_id IS NOT NULL;
DROP INDEX claims_outbound_file_idx;
CREATE INDEX claims_outbound_file_idx ON claims (outbound_file_id) WHERE outbound_file_id IS NOT NULL;
