-- The clue events after cursor $1 up to the gap-safe high-water mark $2 (at most $3), in id
-- order, each with the clue as the previous event of the same clue left it (null for the
-- first). Taking "before" from the outbox itself, not from memory, is what makes every replica
-- compute the same diffs whenever it started.
SELECT o.id, o.clue_code, o.change, o.unit_ids, o.payload, o.created_at, prev.payload -> 'clue' AS prev_clue
  FROM clue_outbox o
  LEFT JOIN LATERAL (
    SELECT p.payload FROM clue_outbox p WHERE p.clue_id = o.clue_id AND p.id < o.id ORDER BY p.id DESC LIMIT 1
  ) AS prev ON true
 WHERE o.id > $1 AND o.id <= $2
 ORDER BY o.id
 LIMIT $3
