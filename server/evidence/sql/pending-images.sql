-- Camera images queued by the clue_timeline trigger (migration 065) and not given up on,
-- oldest first ($1 how many).
SELECT id, clue_id, stored, sha256, device_id, taken_at FROM evidence_pending WHERE problem IS NULL ORDER BY id LIMIT $1
