DROP INDEX claims_partner_state_id_idx;
CREATE INDEX claims_partner_state_id_idx ON claims (partner_id, state, id);
DROP INDEX claims_state_id_idx;
CREATE INDEX claims_state_id_idx ON claims (state, id);
