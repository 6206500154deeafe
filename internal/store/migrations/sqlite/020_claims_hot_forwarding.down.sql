ALTER TABLE claims DROP COLUMN sparse_state;
