-- Records a response to instruction $1: $2 new status, $3 at (ms), $4 by, $5 answer text
-- (answers only); once answered nothing is left for the scheduler.
UPDATE instructions
   SET status = $2,
       acknowledged_at = CASE WHEN $2 = 'acknowledged' THEN to_timestamp($3::float8 / 1000) ELSE acknowledged_at END,
       acknowledged_by = CASE WHEN $2 = 'acknowledged' THEN $4 ELSE acknowledged_by END,
       answered_at = CASE WHEN $2 = 'answered' THEN to_timestamp($3::float8 / 1000) ELSE answered_at END,
       answered_by = CASE WHEN $2 = 'answered' THEN $4 ELSE answered_by END,
       answer = CASE WHEN $2 = 'answered' THEN $5 ELSE answer END,
       next_deadline_at = CASE WHEN $2 = 'answered' THEN NULL ELSE next_deadline_at END
 WHERE id = $1
