-- Files whose processing failed for a transient reason are retried with
-- backoff (state 'retrying' until available_at), and a file that failed or
-- killed the engine max_attempts times is quarantined: never retried
-- automatically, reported with its reason.
ALTER TABLE inbound_files ADD COLUMN available_at TIMESTAMP;
CREATE INDEX inbound_files_partner_open_idx ON inbound_files (partner_id, id)
    WHERE state IN ('received', 'processing', 'retrying');
-- SQLite cannot alter a CHECK constraint. Widening one changes nothing on
-- disk, the case the SQLite documentation allows doing through
-- writable_schema (ALTER TABLE, "Making other kinds of table schema
-- changes"); RESET makes the connection parse the schema again.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''rejected'', ''failed'')', '''rejected'', ''failed'', ''retrying'', ''quarantined'')')
 WHERE type = 'table' AND name = 'inbound_files';
PRAGMA writable_schema = RESET;
