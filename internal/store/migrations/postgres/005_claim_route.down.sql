ALTER TABLE claims DROP COLUMN pricing_method;
ALTER TABLE claims DROP COLUMN route_partner;
