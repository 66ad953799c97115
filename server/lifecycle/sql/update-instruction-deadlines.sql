-- Stores the steps taken ($2) and the next look ($3, ms or NULL) of instruction $1.
UPDATE instructions
   SET deadline_done = $2::text[], next_deadline_at = to_timestamp($3::float8 / 1000)
 WHERE id = $1
