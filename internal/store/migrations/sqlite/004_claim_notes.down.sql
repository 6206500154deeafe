ALTER TABLE claims DROP COLUMN related_control;
ALTER TABLE claims DROP COLUMN notes;
