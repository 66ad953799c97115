-- Writes every kind the map's cluster counts (migration 118) follow, in one statement each:
-- moves far (another fine square) and near (the same one), status and severity changes, codes,
-- deletes of clues without timeline entries, and new clues copied from old ones.
UPDATE clues SET position = ST_Translate(position, 0.013, -0.009), status = 'closed' WHERE id % 5 = 0;
UPDATE clues SET position = ST_Translate(position, 0.00001, 0.00001), severity = 'critical' WHERE id % 5 = 1;
UPDATE clues SET town_code = 'T1', district_code = 'D1' WHERE id % 5 = 2;
DELETE FROM clues AS c WHERE c.id % 7 = 3 AND NOT EXISTS (SELECT 1 FROM clue_timeline AS t WHERE t.clue_id = c.id);
INSERT INTO clues (code, item_code, severity, status, primary_unit_id, asset_key, position, first_seen_at, last_seen_at,
                   deadline_at, group_key, alert_type, window_min, opened_at, summary, district_code, town_code,
                   community_code, grid_code)
SELECT 'X' || code, item_code, severity, 'new', primary_unit_id, asset_key, ST_Translate(position, -0.02, 0.004), first_seen_at, last_seen_at,
       deadline_at, group_key, alert_type, window_min, opened_at, summary, district_code, town_code, community_code, grid_code
  FROM clues WHERE id % 4 = 1;
