CREATE INDEX claims_clm01_idx ON claims (clm01);
ALTER TABLE claims ALTER CONSTRAINT claims_transaction_id_fkey NOT DEFERRABLE;
