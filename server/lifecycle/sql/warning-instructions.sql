-- Instructions on the warnings list (view instruction_warnings) a user may see: the counts per
-- category and one page, most pressing first. $1-$3 the scope (as list-instructions.sql);
-- filters (NULL = any): $4 district or town code of the subject, $5 target unit — the counts
-- follow these — and $6 categories; $7 limit, $8 offset. Rows as in warning-clues.sql.
WITH visible AS (
  SELECT i.id, i.issued_by, i.issued_at, i.target_unit_id, i.subject_kind, c.code AS clue_code, i.jurisdiction_code,
         ST_AsGeoJSON(i.area, 7)::json AS area, i.place_codes, i.title, i.body, i.due_at, i.status,
         i.acknowledged_at, i.acknowledged_by, i.answered_at, i.answered_by, i.answer, i.deadline_plan, i.deadline_done,
         w.category
    FROM instruction_warnings AS w
    JOIN instructions AS i USING (id)
    LEFT JOIN clues AS c ON c.id = i.clue_id
   WHERE ($1::boolean OR i.place_codes && $2::text[] OR ($3::text IS NOT NULL AND i.target_unit_id = $3))
     AND ($4::text IS NULL OR $4 = ANY (i.place_codes))
     AND ($5::text IS NULL OR i.target_unit_id = $5)
)
SELECT page.*, counts.counts
  FROM (SELECT coalesce(jsonb_object_agg(category, n), '{}'::jsonb) AS counts
          FROM (SELECT category, count(*)::int AS n FROM visible GROUP BY category) AS c) AS counts
  LEFT JOIN LATERAL (
        SELECT * FROM visible
         WHERE $6::text[] IS NULL OR category = ANY ($6::text[])
         ORDER BY array_position(ARRAY['overdue', 'due-soon'], category), due_at, id
         LIMIT $7 OFFSET $8) AS page ON true
