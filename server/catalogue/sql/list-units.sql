-- Units in service (not retired), by id.
SELECT id, kind, name, name_en, district_code, town_code, department, linked_town_codes, asset_codes, service,
       served_district_codes
  FROM units
 WHERE retired_at IS NULL
 ORDER BY id
