-- Where the high-water mark starts: the cursor furthest behind, or the end of the outbox
-- when there are no targets yet.
SELECT coalesce((SELECT min(last_id) FROM outbound_targets), (SELECT max(id) FROM clue_outbox), 0)::bigint AS start
