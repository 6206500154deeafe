-- PostgreSQL's migration 021 drops the foreign-key checks of claims on
-- partners and inbound_files and of claim_lines on claims. SQLite cannot
-- drop a constraint without rebuilding the table, and its checks are
-- in-process index probes, so it keeps them.
SELECT 1;
