-- Locks instruction $1 for an acknowledgement, an answer or a deadline step.
SELECT id FROM instructions WHERE id = $1 FOR UPDATE
