-- Appends timeline events (执法全过程记录) in one statement ($1: jsonb array of {clue_id, at
-- (whole ms), actor, action, from_status, to_status, source, detail, seq, prev_hash, hash}: rows
-- already placed on their clues' hash chains by `recordChanges`). `at` is stored to the exact
-- millisecond the hash covers.
INSERT INTO clue_timeline (clue_id, at, actor, action, from_status, to_status, source, detail, seq, prev_hash, hash)
SELECT t.clue_id, timestamptz 'epoch' + t.at * interval '1 millisecond', t.actor, t.action, t.from_status, t.to_status,
       t.source, t.detail, t.seq, t.prev_hash, t.hash
  FROM jsonb_to_recordset($1::jsonb) AS t(clue_id bigint, at bigint, actor text, action text, from_status text,
         to_status text, source text, detail jsonb, seq integer, prev_hash text, hash text)
