-- 002_members down: drop the roster tables.
DROP TABLE IF EXISTS roster_imports;
DROP TABLE IF EXISTS members;
