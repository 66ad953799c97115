-- Opens the clues of a batch in one statement ($1: jsonb array; times in ms since epoch; h3_r9 the
-- position's H3 cell as decimal text, computed in Node: geo/h3-cell.ts).
INSERT INTO clues (code, group_key, item_code, item_name, alert_type, asset_key, catalogue_version, status, severity,
                   alert_count, first_seen_at, last_seen_at, opened_at, deadline_at, window_min, primary_unit_id,
                   co_notified, board_unit_ids, district_code, town_code, community_code, grid_code, position,
                   needs_confirmation, review, reasons, summary, rejected_by, device_id, device_kind, details, h3_r9)
SELECT c.code, c.group_key, c.item_code, c.item_name, c.alert_type, c.asset_key, c.catalogue_version, c.status, c.severity,
       c.alert_count, to_timestamp(c.first_seen / 1000), to_timestamp(c.last_seen / 1000), to_timestamp(c.opened_at / 1000),
       to_timestamp(c.deadline / 1000), c.window_min, c.primary_unit_id, c.co_notified, c.board_unit_ids, c.district_code,
       c.town_code, c.community_code, c.grid_code, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326), c.needs_confirmation,
       c.review, c.reasons, c.summary, c.rejected_by, c.device_id, c.device_kind, c.details, c.h3_r9
  FROM jsonb_to_recordset($1::jsonb) AS c(code text, group_key text, item_code text, item_name jsonb, alert_type text,
         asset_key text, catalogue_version integer, status text, severity text, alert_count integer, first_seen float8,
         last_seen float8, opened_at float8, deadline float8, window_min integer, primary_unit_id text, co_notified text[],
         board_unit_ids text[], district_code text, town_code text, community_code text, grid_code text, lon float8,
         lat float8, needs_confirmation boolean, review boolean, reasons jsonb, summary jsonb, rejected_by text[],
         device_id text, device_kind text, details jsonb, h3_r9 bigint)
RETURNING id, code
