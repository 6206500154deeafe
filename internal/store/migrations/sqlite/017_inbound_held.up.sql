-- CSV submissions wait for the nightly run (csv_processing: nightly): they
-- are recorded 'held', never claimed by a cycle and not counted as open by
-- a partner's arrival order, until the nightly job (or `files release`)
-- makes them 'received'.
-- Widening the CHECK constraint as in 007_inbound_retry (writable_schema).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''retrying'', ''quarantined'')', '''retrying'', ''quarantined'', ''held'')')
 WHERE type = 'table' AND name = 'inbound_files';
PRAGMA writable_schema = RESET;
