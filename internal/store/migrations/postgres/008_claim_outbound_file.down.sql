DROP INDEX claims_outbound_file_idx;
ALTER TABLE claims DROP COLUMN outbound_file_id;
