-- $1 alert entries on the timelines of the bench's $2 clues (each on a clue chosen at random),
-- in time order over the 90 days before 2026-03-01, as the pipeline appends them.
-- Ten million rows go in with one statement, not through recordChanges: each takes its own seq
-- (unique per clue since i is) and a placeholder chain; the bench reads them, nothing verifies them.
INSERT INTO clue_timeline (clue_id, at, actor, action, from_status, to_status, seq, prev_hash, hash)
SELECT 1 + floor(random() * $2::int)::bigint, timestamptz '2025-12-01 00:00+08' + (i::float8 / $1::int) * interval '90 days',
       'pipeline', 'alert', 'new', 'new', i, repeat('0', 64), repeat('0', 64)
  FROM generate_series(1, $1::int) AS i
