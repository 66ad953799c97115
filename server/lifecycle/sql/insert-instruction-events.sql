-- Appends instruction events ($1: jsonb array of {instruction_id, at (ms), actor, action, detail}).
INSERT INTO instruction_events (instruction_id, at, actor, action, detail)
SELECT e.instruction_id, to_timestamp(e.at / 1000), e.actor, e.action, e.detail
  FROM jsonb_to_recordset($1::jsonb) AS e(instruction_id bigint, at float8, actor text, action text, detail jsonb)
