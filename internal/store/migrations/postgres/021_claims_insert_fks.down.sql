ALTER TABLE claim_lines ADD CONSTRAINT claim_lines_claim_id_fkey FOREIGN KEY (claim_id) REFERENCES claims(id) ON DELETE CASCADE;
ALTER TABLE claims ADD CONSTRAINT claims_inbound_file_id_fkey FOREIGN KEY (inbound_file_id) REFERENCES inbound_files(id);
ALTER TABLE claims ADD CONSTRAINT claims_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES partners(id);
