DROP INDEX IF EXISTS inbound_files_partner_open_idx;
UPDATE inbound_files SET state = 'failed' WHERE state IN ('retrying', 'quarantined');
ALTER TABLE inbound_files DROP COLUMN available_at;
ALTER TABLE inbound_files DROP CONSTRAINT IF EXISTS inbound_files_state_check;
ALTER TABLE inbound_files ADD CONSTRAINT inbound_files_state_check
    CHECK (state IN ('received', 'processing', 'processed', 'rejected', 'failed'));
