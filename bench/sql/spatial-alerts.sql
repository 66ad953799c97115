-- $1 alert entries on the timelines of the bench's $2 clues (each on a clue chosen at random),
-- in time order over the 90 days before 2026-03-01, as the pipeline appends them.
INSERT INTO clue_timeline (clue_id, at, actor, action, from_status, to_status)
SELECT 1 + floor(random() * $2::int)::bigint, timestamptz '2025-12-01 00:00+08' + (i::float8 / $1::int) * interval '90 days',
       'pipeline', 'alert', 'new', 'new'
  FROM generate_series(1, $1::int) AS i
