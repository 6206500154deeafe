-- Held files become received: the older engine processes them at once.
UPDATE inbound_files SET state = 'received' WHERE state = 'held';
ALTER TABLE inbound_files DROP CONSTRAINT IF EXISTS inbound_files_state_check;
ALTER TABLE inbound_files ADD CONSTRAINT inbound_files_state_check
    CHECK (state IN ('received', 'processing', 'processed', 'rejected', 'failed', 'retrying', 'quarantined'));
