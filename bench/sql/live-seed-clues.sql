-- Bench clues for the live fan-out: $1 clues, codes bench-live-<n>, the n-th in town $2[n % len].
INSERT INTO clues (code, group_key, item_code, alert_type, asset_key, severity, primary_unit_id, position,
                   first_seen_at, last_seen_at, opened_at, deadline_at, window_min, summary, town_code)
SELECT 'bench-live-' || n, 'bench', 'bench-item', 'dumping', 'bench-' || n, 'medium', 'bench-unit',
       ST_SetSRID(ST_MakePoint(121.5 + (n % 100) * 0.001, 29.86 + (n / 100) * 0.001), 4326),
       now(), now(), now(), now() + interval '2 hours', 30, '{"zh":"测试","en":"bench"}'::jsonb,
       ($2::text[])[1 + n % cardinality($2::text[])]
  FROM generate_series(0, $1 - 1) AS n
RETURNING id, code, town_code, ST_X(position) AS lon, ST_Y(position) AS lat
