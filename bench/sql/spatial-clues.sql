-- $1 clues over the Ningbo box (121.30–121.90 E, 29.70–30.10 N): 70 % around 40 hot spots (a few
-- km wide), 30 % uniform; 6 districts × 4 towns × 10 communities × 40 grid codes by position;
-- opened over the 90 days before 2026-03-01, statuses and severities spread. Deterministic after spatial-seed.sql.
-- h3_r9 is left NULL: the bench fills it with the backfill (h3-js), as a deployment would.
INSERT INTO clues (code, item_code, severity, status, primary_unit_id, asset_key, position, first_seen_at, last_seen_at,
                   deadline_at, group_key, alert_type, window_min, opened_at, summary, district_code, town_code,
                   community_code, grid_code)
SELECT 'B-' || i, 'item-' || (i % 12), (ARRAY['info', 'low', 'medium', 'high', 'critical'])[1 + (i % 5)],
       (ARRAY['new', 'dispatched', 'accepted', 'handling', 'feedback', 'closed', 'closed', 'closed'])[1 + (i % 8)],
       'unit-' || (i % 50), 'asset-' || i, ST_SetSRID(ST_MakePoint(x, y), 4326), t, t, t + interval '2 days', 'g-' || i,
       'gas.leak', 60, t, '{"zh": "基准", "en": "bench"}',
       'D' || floor((x - 121.3) / 0.1)::int,
       'T' || floor((x - 121.3) / 0.1)::int || '-' || floor((y - 29.7) / 0.1)::int,
       'C' || floor((x - 121.3) / 0.03)::int || '-' || floor((y - 29.7) / 0.03)::int,
       'G' || floor((x - 121.3) / 0.005)::int || '-' || floor((y - 29.7) / 0.005)::int
  FROM (SELECT i,
               CASE WHEN r < 0.7 THEN 121.35 + (h % 8) * 0.07 + (random() - 0.5) * 0.04 ELSE 121.3 + random() * 0.6 END AS x,
               CASE WHEN r < 0.7 THEN 29.75 + (h / 8) * 0.07 + (random() - 0.5) * 0.04 ELSE 29.7 + random() * 0.4 END AS y,
               timestamptz '2026-03-01 00:00+08' - random() * interval '90 days' AS t
          FROM (SELECT i, random() AS r, floor(random() * 40)::int AS h FROM generate_series(1, $1::int) AS i) AS s) AS p
