-- Counts of the instructions list-instructions.sql would show ($1-$6 as there), by status, and
-- how many are overdue.
SELECT count(*) FILTER (WHERE i.status = 'issued')::int AS issued,
       count(*) FILTER (WHERE i.status = 'acknowledged')::int AS acknowledged,
       count(*) FILTER (WHERE i.status = 'answered')::int AS answered,
       count(*) FILTER (WHERE 'answer.overdue' = ANY (i.deadline_done))::int AS overdue,
       count(*)::int AS total
  FROM instructions AS i
 WHERE ($1::boolean OR i.place_codes && $2::text[] OR ($3::text IS NOT NULL AND i.target_unit_id = $3))
   AND ($4::text[] IS NULL OR i.status = ANY ($4::text[]))
   AND ($5::text IS NULL OR i.target_unit_id = $5)
   AND ($6::boolean IS NULL OR ('answer.overdue' = ANY (i.deadline_done)) = $6)
