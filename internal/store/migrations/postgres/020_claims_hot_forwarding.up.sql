-- Marking a claim forwarded (state, outbound file, route partner, pricing
-- method, allowed amount) and pricing its lines rewrite every claim and
-- line once. PostgreSQL makes such an update a heap-only tuple (HOT)
-- update, with no new entry in any index, when no index covers a column
-- it changes and the claim's page has room for the new version. Otherwise
-- each update adds an entry to every index on claims; at 1 M claims that
-- was most of the forwarder's time (issue #11).
--
-- So no index covers state or outbound_file_id any more:
-- * The searches by state use sparse_state, the state of the claims not
--   in the two dense states (accepted and forwarded) and NULL for those.
--   It is stored (computed on every write), so it stays NULL when an
--   accepted claim is forwarded, and its indexes do not block HOT.
-- * The claims of an outbound file are looked up only when a file's name
--   is queued again (a rare recovery path), by reading the table.
-- Each claim and line page is filled to half on insert, leaving room for
-- the one rewrite forwarding makes. Adding the stored column rewrites the
-- claims table (under an exclusive lock: seconds per million claims), at
-- that fillfactor already; the lines written before keep their pages.
ALTER TABLE claims SET (fillfactor = 50);
ALTER TABLE claim_lines SET (fillfactor = 50);
ALTER TABLE claims ADD COLUMN sparse_state TEXT
    GENERATED ALWAYS AS (CASE WHEN state IN ('accepted', 'forwarded') THEN NULL ELSE state END) STORED;
DROP INDEX claims_state_id_idx;
DROP INDEX claims_partner_state_id_idx;
DROP INDEX claims_outbound_file_idx;
CREATE INDEX claims_sparse_state_id_idx ON claims (sparse_state, id) WHERE sparse_state IS NOT NULL;
CREATE INDEX claims_partner_sparse_state_id_idx ON claims (partner_id, sparse_state, id) WHERE sparse_state IS NOT NULL;
