DROP INDEX claims_inbound_file_offset_idx;
CREATE INDEX claims_inbound_file_idx ON claims (inbound_file_id);
DROP INDEX claims_inbound_file_id_idx;
CREATE INDEX claims_suspect_key_idx ON claims (suspect_key);
DROP INDEX claims_suspect_key_id_idx;
CREATE INDEX claims_fingerprint_idx ON claims (fingerprint);
DROP INDEX claims_fingerprint_id_idx;
DROP INDEX outbound_files_partner_open_idx;
