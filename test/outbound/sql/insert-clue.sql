-- A minimal clue for outbox and evaluation tests: code $1, item $2, primary unit $3, opened
-- at $4, deadline $5, town $6, district $7, status $8.
INSERT INTO clues (code, item_code, severity, primary_unit_id, asset_key, position, first_seen_at, last_seen_at,
                   deadline_at, group_key, alert_type, window_min, opened_at, summary, town_code, district_code, status)
VALUES ($1, $2, 'low', $3, $1, ST_SetSRID(ST_MakePoint(121.55, 29.87), 4326), $4, $4,
        $5, $1, 'gas-low', 60, $4, '{"zh": "测试", "en": "test"}', $6, $7, $8)
RETURNING id
