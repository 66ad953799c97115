-- The events webhook $1 gave up on, newest first (at most $2); one row with null outbox_id when
-- there are none, and no row when the webhook does not exist.
SELECT w.id AS webhook_id, f.outbox_id, f.clue_code, f.attempts, f.last_error, f.failed_at
  FROM webhooks w
  LEFT JOIN LATERAL (
    SELECT * FROM outbound_failures o WHERE o.webhook_id = w.id ORDER BY o.id DESC LIMIT $2
  ) AS f ON true
 WHERE w.id = $1
