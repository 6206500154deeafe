DROP INDEX claims_outbound_file_idx;
CREATE INDEX claims_outbound_file_idx ON claims (outbound_file_id);
DROP INDEX claims_replaces_idx;
CREATE INDEX claims_replaces_idx ON claims (replaces_claim_id);
CREATE INDEX claims_clm01_idx ON claims (clm01);
