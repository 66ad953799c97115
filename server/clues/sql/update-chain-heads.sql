-- Moves the heads of the timeline chains ($1: jsonb array of {clue_id, seq, hash}) in the
-- transaction that appended the rows.
UPDATE clues SET timeline_seq = h.seq, timeline_hash = h.hash
  FROM jsonb_to_recordset($1::jsonb) AS h(clue_id bigint, seq integer, hash text)
 WHERE clues.id = h.clue_id
