-- Processing inserts a set's claims with the ID of their transactions row
-- drawn ahead, and records that row when the interchange ends (its group
-- and interchange verdicts are known only then): the reference is checked
-- at commit in those transactions (SET CONSTRAINTS … DEFERRED), instead of
-- every claim row being written twice (issue #11).
ALTER TABLE claims ALTER CONSTRAINT claims_transaction_id_fkey DEFERRABLE INITIALLY IMMEDIATE;
-- claims_clm01_id_idx (clm01, id) serves every lookup by CLM01.
DROP INDEX claims_clm01_idx;
