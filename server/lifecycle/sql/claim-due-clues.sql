-- Claims up to $2 clues whose next deadline step is due at $1: locked for this transaction,
-- skipping clues another replica holds, so each step is taken once (index clues_next_deadline).
SELECT id
  FROM clues
 WHERE next_deadline_at <= $1
 ORDER BY next_deadline_at, id
 LIMIT $2
   FOR UPDATE SKIP LOCKED
