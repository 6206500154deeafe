-- The TPA the claim's member is enrolled under on the roster (members.tpa
-- of the row eligibility matched; '' when unchecked or not found). Routes
-- with tpa_partners send the claim to that TPA's partner.
ALTER TABLE claims ADD COLUMN member_tpa TEXT NOT NULL DEFAULT '';
