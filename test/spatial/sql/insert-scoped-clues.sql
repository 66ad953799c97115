-- Clues for the scoped nearby test, as column arrays of one length: $1 codes, $2 lon, $3 lat,
-- $4 district, $5 town, $6 community, $7 grid, $8 primary unit, $9 co-notified units (one or
-- none, '' for none), $10 board unit (likewise).
INSERT INTO clues (code, item_code, severity, status, primary_unit_id, co_notified, board_unit_ids, asset_key, position,
                   first_seen_at, last_seen_at, deadline_at, group_key, alert_type, window_min, opened_at, summary,
                   district_code, town_code, community_code, grid_code)
SELECT u.code, 'item-1', 'high', 'new', u.unit, array_remove(ARRAY[u.co], ''), array_remove(ARRAY[u.board], ''), u.code,
       ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), timestamptz '2026-02-01 08:00+08', timestamptz '2026-02-01 08:00+08',
       timestamptz '2026-02-02 08:00+08', u.code, 'gas.leak', 60, timestamptz '2026-02-01 08:00+08', '{"zh": "测试", "en": "test"}',
       u.district, u.town, u.community, u.grid
  FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS u(code, lon, lat, district, town, community, grid, unit, co, board)
