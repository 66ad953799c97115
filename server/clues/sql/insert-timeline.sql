-- Appends timeline events (执法全过程记录) in one statement ($1: jsonb array of {clue_id, at
-- (ms), actor, action, from_status, to_status, source, detail}).
INSERT INTO clue_timeline (clue_id, at, actor, action, from_status, to_status, source, detail)
SELECT t.clue_id, to_timestamp(t.at / 1000), t.actor, t.action, t.from_status, t.to_status, t.source, t.detail
  FROM jsonb_to_recordset($1::jsonb) AS t(clue_id bigint, at float8, actor text, action text, from_status text,
         to_status text, source text, detail jsonb)
