ALTER TABLE claims DROP COLUMN member_tpa;
