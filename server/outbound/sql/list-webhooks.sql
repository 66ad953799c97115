-- Webhooks with their delivery state (never the secret).
SELECT w.id, w.url, w.unit_ids, w.description, w.created_by, w.created_at,
       t.last_id, t.attempts, t.next_attempt_at, t.last_error, t.delivered, t.failed, t.last_delivered_at
  FROM webhooks w
  JOIN outbound_targets t ON t.webhook_id = w.id
 ORDER BY w.created_at, w.id
