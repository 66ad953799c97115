-- A batch of bench clues, numbered from $1: positions $2 (lon) and $3 (lat), opening times $4 (ms)
-- and H3 cells $5 (decimal text) from bench/spatial.bench.ts, as arrays of one length.
-- 6 districts × 24 towns × communities and grid codes by position (squares of 0.1°, 0.03° and
-- 0.005°), statuses, severities and items spread by number.
INSERT INTO clues (code, item_code, severity, status, primary_unit_id, asset_key, position, first_seen_at, last_seen_at,
                   deadline_at, group_key, alert_type, window_min, opened_at, summary, district_code, town_code,
                   community_code, grid_code, h3_r9)
SELECT 'B-' || b.i, 'item-' || (b.i % 12), (ARRAY['info', 'low', 'medium', 'high', 'critical'])[1 + (b.i % 5)],
       (ARRAY['new', 'dispatched', 'accepted', 'handling', 'feedback', 'closed', 'closed', 'closed'])[1 + (b.i % 8)],
       'unit-' || (b.i % 50), 'asset-' || b.i, ST_SetSRID(ST_MakePoint(b.x, b.y), 4326), to_timestamp(b.t / 1000),
       to_timestamp(b.t / 1000), to_timestamp(b.t / 1000) + interval '2 days', 'g-' || b.i, 'gas.leak', 60, to_timestamp(b.t / 1000),
       '{"zh": "基准", "en": "bench"}',
       'D' || floor((b.x - 121.3) / 0.1)::int,
       'T' || floor((b.x - 121.3) / 0.1)::int || '-' || floor((b.y - 29.7) / 0.1)::int,
       'C' || floor((b.x - 121.3) / 0.03)::int || '-' || floor((b.y - 29.7) / 0.03)::int,
       'G' || floor((b.x - 121.3) / 0.005)::int || '-' || floor((b.y - 29.7) / 0.005)::int,
       b.h3
  FROM (SELECT ($1::int + n - 1)::int AS i, x, y, t, h3
          FROM unnest($2::float8[], $3::float8[], $4::float8[], $5::bigint[]) WITH ORDINALITY AS u(x, y, t, h3, n)) AS b
