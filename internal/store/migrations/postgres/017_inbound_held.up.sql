-- CSV submissions wait for the nightly run (csv_processing: nightly): they
-- are recorded 'held', never claimed by a cycle and not counted as open by
-- a partner's arrival order, until the nightly job (or `files release`)
-- makes them 'received'.
ALTER TABLE inbound_files DROP CONSTRAINT IF EXISTS inbound_files_state_check;
ALTER TABLE inbound_files ADD CONSTRAINT inbound_files_state_check
    CHECK (state IN ('received', 'processing', 'processed', 'rejected', 'failed', 'retrying', 'quarantined', 'held'));
