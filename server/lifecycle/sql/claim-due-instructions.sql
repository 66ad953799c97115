-- Claims up to $2 instructions whose next deadline step is due at $1 (as claim-due-clues).
SELECT id
  FROM instructions
 WHERE next_deadline_at <= $1
 ORDER BY next_deadline_at, id
 LIMIT $2
   FOR UPDATE SKIP LOCKED
