-- Open clues of a batch's group keys whose join window still reaches the batch's earliest
-- alert, locked for the rest of the clue transaction so an operator's action and the pipeline
-- never overwrite each other. $1: group keys; $2: earliest alert time (ms since epoch).
SELECT *
  FROM clue_rows
 WHERE group_key = ANY ($1::text[])
   AND status NOT IN ('closed', 'escalated', 'merged')
   AND last_seen_at + make_interval(mins => window_min) >= to_timestamp($2::float8 / 1000)
   FOR UPDATE
