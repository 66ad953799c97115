-- Lifecycle completeness (issue 9): a clue closed at source (源头化解) by a grid worker of the
-- assigned unit is closed like any other, and flagged so the efficiency figures can count it
-- apart from closures after verification. clue_rows gains the column at its end.
ALTER TABLE clues ADD COLUMN closed_at_source boolean NOT NULL DEFAULT false;

CREATE OR REPLACE VIEW clue_rows AS
SELECT id, code, group_key, item_code, item_name, alert_type, asset_key, catalogue_version, status, severity, alert_count,
       first_seen_at, last_seen_at, opened_at, deadline_at, window_min, primary_unit_id, co_notified, board_unit_ids,
       district_code, town_code, community_code, grid_code, ST_X(position) AS lon, ST_Y(position) AS lat,
       needs_confirmation, review, reasons, summary, rejected_by, device_id, device_kind, details,
       accept_due_at, close_due_at, deadline_done, escalation_level, closed_at_source
  FROM clues;
