-- Instructions on the warnings list (view instruction_warnings) a user may see, most pressing
-- first. $1-$3 the scope (as list-instructions.sql); filters (NULL = any): $4 categories,
-- $5 district or town code of the subject, $6 target unit; $7 limit, $8 offset.
SELECT i.id, i.issued_by, i.issued_at, i.target_unit_id, i.subject_kind, c.code AS clue_code, i.jurisdiction_code,
       ST_AsGeoJSON(i.area, 7)::json AS area, i.place_codes, i.title, i.body, i.due_at, i.status,
       i.acknowledged_at, i.acknowledged_by, i.answered_at, i.answered_by, i.answer, i.deadline_plan, i.deadline_done,
       w.category
  FROM instruction_warnings AS w
  JOIN instructions AS i USING (id)
  LEFT JOIN clues AS c ON c.id = i.clue_id
 WHERE ($1::boolean OR i.place_codes && $2::text[] OR ($3::text IS NOT NULL AND i.target_unit_id = $3))
   AND ($4::text[] IS NULL OR w.category = ANY ($4::text[]))
   AND ($5::text IS NULL OR $5 = ANY (i.place_codes))
   AND ($6::text IS NULL OR i.target_unit_id = $6)
 ORDER BY array_position(ARRAY['overdue', 'due-soon'], w.category), w.due_at, i.id
 LIMIT $7 OFFSET $8
