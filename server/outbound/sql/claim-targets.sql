-- Claims up to $6 targets for replica $1 for $2 ms: those with events up to the high-water
-- mark $3 to deliver, due (back-off passed), not leased by another replica, not already
-- being worked here ($4), and either a webhook or a built-in target this replica has ($5).
-- SKIP LOCKED lets two replicas claim at once without waiting on or taking each other's rows.
WITH claimed AS (
  UPDATE outbound_targets t
     SET lease_owner = $1,
         lease_until = now() + make_interval(secs => $2::double precision / 1000)
   WHERE t.target IN (
     SELECT target FROM outbound_targets
      WHERE (lease_owner = $1 OR lease_until IS NULL OR lease_until < now())
        AND next_attempt_at <= now()
        AND last_id < $3
        AND NOT (target = ANY ($4::text[]))
        AND (webhook_id IS NOT NULL OR target = ANY ($5::text[]))
      ORDER BY next_attempt_at
      LIMIT $6
      FOR UPDATE SKIP LOCKED)
  RETURNING t.target, t.webhook_id, t.last_id, t.attempts
)
SELECT c.target, c.last_id, c.attempts, w.id AS webhook_id, w.url, w.secret, w.unit_ids
  FROM claimed c
  LEFT JOIN webhooks w ON w.id = c.webhook_id
