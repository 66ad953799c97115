-- Inserts or replaces units in one statement; an imported unit that was retired returns to
-- service. $1: jsonb array of rows with the units table's column names.
INSERT INTO units (id, kind, name, name_en, district_code, town_code, department, linked_town_codes, asset_codes, service,
                   served_district_codes, retired_at, updated_at)
SELECT u.id, u.kind, u.name, u.name_en, u.district_code, u.town_code, u.department,
       coalesce(u.linked_town_codes, '{}'), coalesce(u.asset_codes, '{}'), u.service, coalesce(u.served_district_codes, '{}'),
       NULL, now()
  FROM jsonb_to_recordset($1::jsonb) AS u(id text, kind text, name text, name_en text, district_code text, town_code text,
                                          department text, linked_town_codes text[], asset_codes text[], service text,
                                          served_district_codes text[])
ON CONFLICT (id) DO UPDATE SET
  kind = EXCLUDED.kind, name = EXCLUDED.name, name_en = EXCLUDED.name_en, district_code = EXCLUDED.district_code,
  town_code = EXCLUDED.town_code, department = EXCLUDED.department, linked_town_codes = EXCLUDED.linked_town_codes,
  asset_codes = EXCLUDED.asset_codes, service = EXCLUDED.service, served_district_codes = EXCLUDED.served_district_codes,
  retired_at = NULL, updated_at = now()
