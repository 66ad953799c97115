-- A clue's timeline in the order it was recorded (its chain) ($1: clue id).
SELECT at, actor, action, from_status, to_status, source, detail FROM clue_timeline WHERE clue_id = $1 ORDER BY seq, id
