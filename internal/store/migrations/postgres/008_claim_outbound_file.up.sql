-- The outbound 837 a forwarded claim was queued in. The forwarder sets it
-- in the transaction that queues the file and marks the claim forwarded,
-- and never batches a claim that has one again (docs/routing.md).
ALTER TABLE claims ADD COLUMN outbound_file_id BIGINT REFERENCES outbound_files (id);
CREATE INDEX claims_outbound_file_idx ON claims (outbound_file_id);
