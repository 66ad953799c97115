-- $1 alerts on the timeline of the bench's $2 clues ('alert' entries, a clue chosen at random),
-- recorded over the 90 days before 2026-03-01.
INSERT INTO clue_timeline (clue_id, at, actor, action, from_status, to_status)
SELECT 1 + floor(random() * $2::int)::bigint, timestamptz '2026-03-01 00:00+08' - random() * interval '90 days', 'pipeline', 'alert', 'new', 'new'
  FROM generate_series(1, $1::int)
