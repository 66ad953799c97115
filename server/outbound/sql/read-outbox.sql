-- The next events for a target: after its cursor $1, up to the high-water mark $2, in order.
SELECT id, clue_code, change, unit_ids, payload, created_at
  FROM clue_outbox
 WHERE id > $1 AND id <= $2
 ORDER BY id
 LIMIT $3
