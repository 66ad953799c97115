-- Clues for the hotspot rollup test, as column arrays of one length: $1 codes, $2 item ('' for
-- none), $3 lon, $4 lat, $5 opened (timestamptz), $6 district, $7 town, $8 community, $9 grid
-- ('' for none), $10 primary unit, $11 co-notified unit ('' for none), $12 board unit (likewise).
-- h3_r9 is left NULL: the test's backfill fills it, moving the counts already kept.
INSERT INTO clues (code, item_code, severity, status, primary_unit_id, co_notified, board_unit_ids, asset_key, position,
                   first_seen_at, last_seen_at, deadline_at, group_key, alert_type, window_min, opened_at, summary,
                   district_code, town_code, community_code, grid_code)
SELECT u.code, nullif(u.item, ''), 'high', 'new', u.unit, array_remove(ARRAY[u.co], ''), array_remove(ARRAY[u.board], ''), u.code,
       ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), u.opened, u.opened, u.opened + interval '1 day', u.code, 'gas.leak', 60,
       u.opened, '{"zh": "测试", "en": "test"}', u.district, u.town, u.community, nullif(u.grid, '')
  FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[], $5::timestamptz[], $6::text[], $7::text[], $8::text[],
              $9::text[], $10::text[], $11::text[], $12::text[])
         AS u(code, item, lon, lat, opened, district, town, community, grid, unit, co, board)
RETURNING id::int AS id, opened_at AS opened
