-- A batch of bench clues (bench/clue-loader.ts), numbered from $1: positions $2 (lon) and $3 (lat),
-- opening times $4 (ms), H3 cells $5 (decimal text), and the district, town, community and grid
-- codes $6-$9 of each position, as arrays of one length. Statuses, severities and items spread
-- by number. No deadline step is pending (next_deadline_at NULL; the column's default '-infinity'
-- would make every bench clue due at once): loaded clues are a settled city, and the deadline
-- scheduler sweeping 100,000 of them would flood the live feed while a bench measures.
INSERT INTO clues (code, item_code, severity, status, primary_unit_id, asset_key, position, first_seen_at, last_seen_at,
                   deadline_at, group_key, alert_type, window_min, opened_at, summary, district_code, town_code,
                   community_code, grid_code, h3_r9, next_deadline_at)
SELECT 'B-' || b.i, 'item-' || (b.i % 12), (ARRAY['info', 'low', 'medium', 'high', 'critical'])[1 + (b.i % 5)],
       (ARRAY['new', 'dispatched', 'accepted', 'handling', 'feedback', 'closed', 'closed', 'closed'])[1 + (b.i % 8)],
       'unit-' || (b.i % 50), 'asset-' || b.i, ST_SetSRID(ST_MakePoint(b.x, b.y), 4326), to_timestamp(b.t / 1000),
       to_timestamp(b.t / 1000), to_timestamp(b.t / 1000) + interval '2 days', 'g-' || b.i, 'gas.leak', 60, to_timestamp(b.t / 1000),
       '{"zh": "基准", "en": "bench"}', b.d, b.tw, b.c, b.g, b.h3, NULL
  FROM (SELECT ($1::int + n - 1)::int AS i, x, y, t, h3, d, tw, c, g
          FROM unnest($2::float8[], $3::float8[], $4::float8[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[])
               WITH ORDINALITY AS u(x, y, t, h3, d, tw, c, g, n)) AS b
