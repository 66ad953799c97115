-- The last outbox id (the warm-up event's).
SELECT max(id) AS id FROM clue_outbox
