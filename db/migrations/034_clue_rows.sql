-- One definition of a clue as the service reads it (server/clues/stored-clue.ts `ClueRow`): the
-- clue list and detail, the action lock and the pipeline's open-clue look-up all select from
-- this view, so its column list lives in one place. The position comes as lon/lat (WGS84).
-- FOR UPDATE on the view locks the underlying clues rows.
CREATE VIEW clue_rows AS
SELECT id, code, group_key, item_code, item_name, alert_type, asset_key, catalogue_version, status, severity, alert_count,
       first_seen_at, last_seen_at, opened_at, deadline_at, window_min, primary_unit_id, co_notified, board_unit_ids,
       district_code, town_code, community_code, grid_code, ST_X(position) AS lon, ST_Y(position) AS lat,
       needs_confirmation, review, reasons, summary, rejected_by, device_id, device_kind, details
  FROM clues;
