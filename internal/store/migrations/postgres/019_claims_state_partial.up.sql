-- The two indexes by state hold the claims of the states worth an index:
-- the few rejected, duplicate, suspect, replaced, voided... ones. Accepted
-- (waiting to be forwarded) and forwarded claims, nearly all of them, are
-- left out: those two states are dense, so a search for them reads the
-- partner's or every claim newest first and keeps what matches, and a
-- claim inserted accepted and marked forwarded touches neither index
-- (issue #11: each index on claims costs every claim written twice).
-- A search planned for its values (store.SearchClaims) uses them for any
-- other state.
DROP INDEX claims_state_id_idx;
CREATE INDEX claims_state_id_idx ON claims (state, id) WHERE state NOT IN ('accepted', 'forwarded');
DROP INDEX claims_partner_state_id_idx;
CREATE INDEX claims_partner_state_id_idx ON claims (partner_id, state, id) WHERE state NOT IN ('accepted', 'forwarded');
