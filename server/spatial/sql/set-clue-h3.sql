-- Stores the H3 cells the backfill computed ($1: jsonb array of {id, h3_r9 (decimal text)}).
UPDATE clues SET h3_r9 = u.h3_r9
  FROM jsonb_to_recordset($1::jsonb) AS u(id bigint, h3_r9 bigint)
 WHERE clues.id = u.id
