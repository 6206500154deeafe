-- Files whose processing failed for a transient reason are retried with
-- backoff (state 'retrying' until available_at), and a file that failed or
-- killed the engine max_attempts times is quarantined: never retried
-- automatically, reported with its reason.
ALTER TABLE inbound_files DROP CONSTRAINT IF EXISTS inbound_files_state_check;
ALTER TABLE inbound_files ADD CONSTRAINT inbound_files_state_check
    CHECK (state IN ('received', 'processing', 'processed', 'rejected', 'failed', 'retrying', 'quarantined'));
ALTER TABLE inbound_files ADD COLUMN available_at TIMESTAMPTZ;
-- Arrival order per partner: the claim query looks for an older unfinished
-- file of the same partner.
CREATE INDEX inbound_files_partner_open_idx ON inbound_files (partner_id, id)
    WHERE state IN ('received', 'processing', 'retrying');
