-- Records a target's progress, only while replica $2 still holds its lease: cursor $3,
-- attempts $4 at the next event, next try in $5 ms, last error $6, $7 more delivered and $8
-- more given up on, lease renewed for $9 ms. When $10 is set, the event with that outbox id
-- (clue $11) was given up on after $12 attempts and goes to outbound_failures with error $6.
-- Returns how many target rows were updated: 0 means the lease was lost (or the webhook deleted).
WITH progress AS (
  UPDATE outbound_targets
     SET last_id = $3,
         attempts = $4,
         next_attempt_at = now() + make_interval(secs => $5::double precision / 1000),
         last_error = $6,
         delivered = delivered + $7,
         failed = failed + $8,
         last_delivered_at = CASE WHEN $7 > 0 THEN now() ELSE last_delivered_at END,
         lease_until = now() + make_interval(secs => $9::double precision / 1000)
   WHERE target = $1 AND lease_owner = $2
  RETURNING target, webhook_id
), failure AS (
  INSERT INTO outbound_failures (target, webhook_id, outbox_id, clue_code, attempts, last_error)
  SELECT target, webhook_id, $10, $11, $12, $6
    FROM progress
   WHERE $10::bigint IS NOT NULL
)
SELECT count(*)::int AS updated FROM progress
