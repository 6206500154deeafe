-- PostgreSQL's migration 022 drops the foreign-key check of claims on
-- transactions. On SQLite claims are linked to their set once its row is
-- recorded (no ID is drawn ahead), and the check is an in-process index
-- probe, so it stays.
SELECT 1;
