-- Clues for the spatial tests ($1: jsonb array of {code, item, severity, status, unit, lon, lat,
-- opened (ISO time), district, town, community, grid}); h3_r9 is left NULL (the backfill fills it).
INSERT INTO clues (code, item_code, severity, status, primary_unit_id, asset_key, position, first_seen_at, last_seen_at,
                   deadline_at, group_key, alert_type, window_min, opened_at, summary, district_code, town_code,
                   community_code, grid_code)
SELECT c.code, c.item, c.severity, c.status, c.unit, c.code, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), c.opened, c.opened,
       c.opened + interval '1 day', c.code, 'gas.leak', 60, c.opened, '{"zh": "测试", "en": "test"}', c.district, c.town,
       c.community, c.grid
  FROM jsonb_to_recordset($1::jsonb) AS c(code text, item text, severity text, status text, unit text, lon float8, lat float8,
         opened timestamptz, district text, town text, community text, grid text)
