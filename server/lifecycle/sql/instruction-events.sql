-- The events of instruction $1, oldest first.
SELECT at, actor, action, detail FROM instruction_events WHERE instruction_id = $1 ORDER BY at, id
