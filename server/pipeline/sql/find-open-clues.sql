-- Open clues of a batch's group keys whose join window still reaches the batch's earliest
-- alert, locked for the rest of the clue transaction so an operator's action and the pipeline
-- never overwrite each other. $1: group keys; $2: earliest alert time (ms since epoch).
SELECT id, code, group_key, item_code, item_name, alert_type, asset_key, catalogue_version, status, severity, alert_count,
       first_seen_at, last_seen_at, opened_at, deadline_at, window_min, primary_unit_id, co_notified, board_unit_ids,
       district_code, town_code, community_code, grid_code, ST_X(position) AS lon, ST_Y(position) AS lat,
       needs_confirmation, review, reasons, summary, rejected_by, device_id, device_kind, details
  FROM clues
 WHERE group_key = ANY ($1::text[])
   AND status NOT IN ('closed', 'escalated', 'merged')
   AND last_seen_at + make_interval(mins => window_min) >= to_timestamp($2::float8 / 1000)
   FOR UPDATE
