-- Alert entries on the timeline of clues ($1: jsonb array of {code, at (ISO time), action}).
INSERT INTO clue_timeline (clue_id, at, actor, action, from_status, to_status)
SELECT c.id, a.at, 'pipeline', a.action, 'new', 'new'
  FROM jsonb_to_recordset($1::jsonb) AS a(code text, at timestamptz, action text)
  JOIN clues AS c ON c.code = a.code
