-- A clue's timeline, oldest first ($1: clue id).
SELECT at, actor, action, from_status, to_status, source, detail FROM clue_timeline WHERE clue_id = $1 ORDER BY at, id
