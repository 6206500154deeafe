-- Machine-readable notes on a claim's outcome (e.g. "duplicate-of",
-- "f8-unknown") kept apart from the 277CA status codes in reasons, and the
-- control number of the claim an outcome refers to (the original a
-- duplicate or suspect matches).
ALTER TABLE claims ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN related_control TEXT NOT NULL DEFAULT '';
