-- Stores what the scheduler did to clue $1: due times $2/$3 (ms; deadline_at follows the close
-- due time), plan $4, steps taken $5, escalation level $6, board units $7, next look $8 (ms or NULL).
UPDATE clues
   SET accept_due_at = to_timestamp($2::float8 / 1000),
       close_due_at = to_timestamp($3::float8 / 1000),
       deadline_at = COALESCE(to_timestamp($3::float8 / 1000), deadline_at),
       deadline_plan = $4::jsonb,
       deadline_done = $5::text[],
       escalation_level = $6,
       board_unit_ids = $7::text[],
       next_deadline_at = to_timestamp($8::float8 / 1000)
 WHERE id = $1
