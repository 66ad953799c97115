-- Removes a webhook; its target and recorded failures go with it (ON DELETE CASCADE).
DELETE FROM webhooks WHERE id = $1 RETURNING id
