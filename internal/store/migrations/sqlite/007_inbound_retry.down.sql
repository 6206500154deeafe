UPDATE inbound_files SET state = 'failed' WHERE state IN ('retrying', 'quarantined');
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''rejected'', ''failed'', ''retrying'', ''quarantined'')', '''rejected'', ''failed'')')
 WHERE type = 'table' AND name = 'inbound_files';
PRAGMA writable_schema = RESET;
DROP INDEX IF EXISTS inbound_files_partner_open_idx;
ALTER TABLE inbound_files DROP COLUMN available_at;
