-- Where a forwarded claim went and how it was priced.
ALTER TABLE claims ADD COLUMN route_partner TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN pricing_method TEXT NOT NULL DEFAULT '';
