-- Registers webhook $1 and creates its delivery target $7, starting at the current end of the
-- outbox: a new webhook receives events from its registration on.
WITH w AS (
  INSERT INTO webhooks (id, url, secret, unit_ids, description, created_by)
  VALUES ($1, $2, $3, $4, $5, $6)
  RETURNING id, url, unit_ids, description, created_by, created_at
), t AS (
  INSERT INTO outbound_targets (target, webhook_id, last_id)
  SELECT $7, w.id, (SELECT coalesce(max(id), 0) FROM clue_outbox) FROM w
)
SELECT id, url, unit_ids, description, created_by, created_at FROM w
