-- PostgreSQL's migration 020 takes state and outbound_file_id out of the
-- indexes on claims so that forwarding rewrites a claim in place (a HOT
-- update), and searches by state read sparse_state instead. SQLite
-- updates a row in place whatever its indexes, so its indexes stay; it
-- gets the same column (computed when read) so that both schemas match.
ALTER TABLE claims ADD COLUMN sparse_state TEXT
    GENERATED ALWAYS AS (CASE WHEN state IN ('accepted', 'forwarded') THEN NULL ELSE state END) VIRTUAL;
