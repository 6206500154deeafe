ALTER TABLE claim_lines RESET (fillfactor);
ALTER TABLE claims RESET (fillfactor);
DROP INDEX claims_partner_sparse_state_id_idx;
DROP INDEX claims_sparse_state_id_idx;
CREATE INDEX claims_outbound_file_idx ON claims (outbound_file_id) WHERE outbound_file_id IS NOT NULL;
CREATE INDEX claims_partner_state_id_idx ON claims (partner_id, state, id) WHERE state NOT IN ('accepted', 'forwarded');
CREATE INDEX claims_state_id_idx ON claims (state, id) WHERE state NOT IN ('accepted', 'forwarded');
ALTER TABLE claims DROP COLUMN sparse_state;
