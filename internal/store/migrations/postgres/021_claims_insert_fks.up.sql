-- Every claim row is checked against partners and inbound_files, and every
-- line against claims, by a foreign-key trigger: one index probe per row,
-- about a third of writing a claim and half of writing its lines (issue
-- #11: a 100 000-claim run took 22.5 s without them instead of 27.5 s;
-- the COPY of claims 3.3 s instead of 4.7 s, of lines 1.1 s, 2.6 s). These
-- three references are written only by InsertClaims, from rows the same
-- transaction created or read (the file's own row, its partner, the claims
-- it just inserted), and partners and inbound files are never deleted; a
-- file's claims and lines are deleted together by ForgetFileResults, lines
-- first. So the checks are dropped on PostgreSQL. The references whose
-- rows do come and go keep theirs: claims.transaction_id (checked at
-- commit), replaces_claim_id, outbound_file_id, and the remittance tables.
ALTER TABLE claims DROP CONSTRAINT claims_partner_id_fkey;
ALTER TABLE claims DROP CONSTRAINT claims_inbound_file_id_fkey;
ALTER TABLE claim_lines DROP CONSTRAINT claim_lines_claim_id_fkey;
