-- The clue events after cursor $1 up to the gap-safe high-water mark $2 (at most $3), in id
-- order. The clue as each event's previous event left it comes from the hub's memory of the
-- events it settled, or from previous-clues.sql for a clue it has not seen since it started.
SELECT o.id, o.clue_id, o.clue_code, o.change, o.payload
  FROM clue_outbox o
 WHERE o.id > $1 AND o.id <= $2
 ORDER BY o.id
 LIMIT $3
