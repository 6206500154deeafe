-- Held files become received: the older engine processes them at once.
UPDATE inbound_files SET state = 'received' WHERE state = 'held';
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''retrying'', ''quarantined'', ''held'')', '''retrying'', ''quarantined'')')
 WHERE type = 'table' AND name = 'inbound_files';
PRAGMA writable_schema = RESET;
