-- 001_init down: drop every table, dependants first.
DROP TABLE IF EXISTS audit_log;
DROP TABLE IF EXISTS control_numbers;
DROP TABLE IF EXISTS outbound_files;
DROP TABLE IF EXISTS claim_lines;
DROP TABLE IF EXISTS claims;
DROP TABLE IF EXISTS transactions;
DROP TABLE IF EXISTS groups;
DROP TABLE IF EXISTS interchanges;
DROP TABLE IF EXISTS inbound_files;
DROP TABLE IF EXISTS partners;
