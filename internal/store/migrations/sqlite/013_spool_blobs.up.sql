-- Nothing on SQLite: spooled content stays in the spool directory (the
-- PostgreSQL migration 013 adds the tables of spool: postgres). Kept so
-- both dialects number their migrations alike.
SELECT 1;
