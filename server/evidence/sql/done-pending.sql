-- A queued camera image is attached ($1 pending id).
DELETE FROM evidence_pending WHERE id = $1
