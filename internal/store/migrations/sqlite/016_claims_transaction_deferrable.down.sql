CREATE INDEX claims_clm01_idx ON claims (clm01);
