DROP TABLE era_enrollments;
DROP INDEX claims_clm01_idx;
ALTER TABLE claims DROP COLUMN denial_remittance_id;
DROP TABLE claim_payments;
DROP TABLE remit_lines;
DROP TABLE remit_claims;
DROP TABLE remittances;
