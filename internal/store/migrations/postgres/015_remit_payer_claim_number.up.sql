-- The claim status answer (276 REF*1K) finds claims by the payer claim
-- number (CLP07) their remittances gave them.
CREATE INDEX remit_claims_payer_claim_number_idx ON remit_claims (payer_claim_number) WHERE payer_claim_number <> '';
