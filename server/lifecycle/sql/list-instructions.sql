-- Instructions a user may see, newest first. $1-$3 the scope (scopeSqlParams): the whole city,
-- or the subject's district or town is in the scope codes, or it is addressed to the user's
-- unit. Filters (NULL = any): $4 statuses, $5 target unit, $6 overdue; $7 limit, $8 offset.
SELECT i.id, i.issued_by, i.issued_at, i.target_unit_id, i.subject_kind, c.code AS clue_code, i.jurisdiction_code,
       ST_AsGeoJSON(i.area, 7)::json AS area, i.place_codes, i.title, i.body, i.due_at, i.status,
       i.acknowledged_at, i.acknowledged_by, i.answered_at, i.answered_by, i.answer, i.deadline_plan, i.deadline_done
  FROM instructions AS i
  LEFT JOIN clues AS c ON c.id = i.clue_id
 WHERE ($1::boolean OR i.place_codes && $2::text[] OR ($3::text IS NOT NULL AND i.target_unit_id = $3))
   AND ($4::text[] IS NULL OR i.status = ANY ($4::text[]))
   AND ($5::text IS NULL OR i.target_unit_id = $5)
   AND ($6::boolean IS NULL OR ('answer.overdue' = ANY (i.deadline_done)) = $6)
 ORDER BY i.issued_at DESC, i.id DESC
 LIMIT $7 OFFSET $8
