-- Where the live stream starts: the current end of the outbox.
SELECT coalesce(max(id), 0)::bigint AS end_id FROM clue_outbox
