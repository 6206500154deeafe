-- claims_clm01_id_idx (clm01, id) serves the lookups by partner and CLM01
-- too (FindByCLM01: a CLM01 names a handful of claims, filtered by
-- partner, newest first), so (partner_id, clm01) is dropped: every claim
-- written and every state change of one touches an index fewer (issue #11).
DROP INDEX claims_partner_clm01_idx;
