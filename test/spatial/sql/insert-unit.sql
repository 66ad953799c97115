-- A unit for tests that need one (users.unit_id references units): id $1, kind $2, district $3, town $4.
INSERT INTO units (id, kind, name, name_en, district_code, town_code)
VALUES ($1, $2, $1, $1, $3, $4)
