-- The open part of the outbound queue (not delivered, not parked), by
-- partner in queue order: ClaimOutbound delivers only the oldest open file
-- of each partner, and finds it here without reading the delivered history.
CREATE INDEX outbound_files_partner_open_idx ON outbound_files (partner_id, id)
    WHERE state IN ('pending', 'delivering', 'failed');
-- Duplicate lookups take the newest claim of a fingerprint: served by one
-- index whatever the planner's statistics.
CREATE INDEX claims_fingerprint_id_idx ON claims (fingerprint, id);
DROP INDEX claims_fingerprint_idx;
CREATE INDEX claims_suspect_key_id_idx ON claims (suspect_key, id);
DROP INDEX claims_suspect_key_idx;
-- A file's claims in ID order (claims --file, process --json, the
-- forwarder's candidates of one file).
CREATE INDEX claims_inbound_file_id_idx ON claims (inbound_file_id, id);
DROP INDEX claims_inbound_file_idx;
-- A file's claims in file order: the forwarder reads the spooled file once
-- and fetches its candidates as the read reaches them.
CREATE INDEX claims_inbound_file_offset_idx ON claims (inbound_file_id, raw_offset);
