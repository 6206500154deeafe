DROP INDEX claims_partner_member_idx;
DROP TABLE partner_credentials;
ALTER TABLE members DROP COLUMN insurance_type;
ALTER TABLE members DROP COLUMN coverage_level;
