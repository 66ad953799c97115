-- A clue's stored record as verify reads it ($1: clue id), in one statement so the rows and the
-- chain's head are one snapshot: the head (timeline_seq, timeline_hash) on every row, and one
-- row with a NULL id when the clue has no rows. Rows by seq: each row's content with `at` in
-- ms (a numeric, so a sub-millisecond change shows), its links, and for rows written before
-- the chain (migration 070) their hash recomputed by the migration's own function.
SELECT c.timeline_seq, c.timeline_hash,
       t.id, t.seq, (extract(epoch FROM t.at) * 1000)::text AS at_ms, t.actor, t.action, t.from_status, t.to_status,
       t.source, t.detail, t.prev_hash, t.hash, t.legacy,
       clue_timeline_legacy_hash(t.prev_hash, c.code, t.seq, t.at, t.actor, t.action, t.from_status, t.to_status, t.source, t.detail) AS legacy_hash
  FROM clues AS c LEFT JOIN clue_timeline AS t ON t.clue_id = c.id
 WHERE c.id = $1
 ORDER BY t.seq, t.id
