-- claims_clm01_id_idx (clm01, id) serves every lookup by CLM01. (The
-- PostgreSQL migration 016 also makes claims.transaction_id's reference
-- deferrable; SQLite records the reference after the insert as before.)
DROP INDEX claims_clm01_idx;
