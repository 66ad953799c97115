-- Creates a built-in target ('mqtt' or 'kafka') the first time it is enabled. It starts at
-- the current end of the outbox: targets receive events from when they are set up.
INSERT INTO outbound_targets (target, last_id)
SELECT $1, coalesce(max(id), 0) FROM clue_outbox
ON CONFLICT (target) DO NOTHING
