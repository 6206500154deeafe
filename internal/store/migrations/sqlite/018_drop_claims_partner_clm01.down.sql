CREATE INDEX claims_partner_clm01_idx ON claims (partner_id, clm01);
