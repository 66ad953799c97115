-- Clues a user may see, newest first, with optional filters (NULL = any).
-- $1 whole city (the user has no jurisdiction limit); $2 the user's scope codes (district, town,
-- community or grid); $3 the user's unit (sees the clues it is assigned, told about or shows on
-- its board); $4 statuses; $5 item code; $6 town code; $7 unit id; $8-$11 bbox (min lon, min lat,
-- max lon, max lat); $12 review; $13 limit; $14 offset.
SELECT id, code, group_key, item_code, item_name, alert_type, asset_key, catalogue_version, status, severity, alert_count,
       first_seen_at, last_seen_at, opened_at, deadline_at, window_min, primary_unit_id, co_notified, board_unit_ids,
       district_code, town_code, community_code, grid_code, ST_X(position) AS lon, ST_Y(position) AS lat,
       needs_confirmation, review, reasons, summary, rejected_by, device_id, device_kind, details
  FROM clues
 WHERE ($1::boolean
        OR district_code = ANY ($2::text[]) OR town_code = ANY ($2::text[])
        OR community_code = ANY ($2::text[]) OR grid_code = ANY ($2::text[])
        OR ($3::text IS NOT NULL AND ($3 = primary_unit_id OR $3 = ANY (co_notified) OR $3 = ANY (board_unit_ids))))
   AND ($4::text[] IS NULL OR status = ANY ($4::text[]))
   AND ($5::text IS NULL OR item_code = $5)
   AND ($6::text IS NULL OR town_code = $6)
   AND ($7::text IS NULL OR primary_unit_id = $7 OR $7 = ANY (co_notified) OR $7 = ANY (board_unit_ids))
   AND ($8::float8 IS NULL OR position && ST_MakeEnvelope($8::float8, $9::float8, $10::float8, $11::float8, 4326))
   AND ($12::boolean IS NULL OR review = $12)
 ORDER BY opened_at DESC, id DESC
 LIMIT $13 OFFSET $14
