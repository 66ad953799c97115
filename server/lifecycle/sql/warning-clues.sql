-- Clues on the warnings list (view clue_warnings) a user may see: the counts per category and
-- one page, most pressing first. $1-$3 the scope (scopeSqlParams, as list-clues.sql); filters
-- (NULL = any): $4 district code, $5 town code, $6 unit (primary, co-notified or board) — the
-- counts follow these — and $7 categories; $8 limit, $9 offset. One row per clue of the page,
-- each with the counts, or a single row of counts and NULLs when the page is empty.
WITH visible AS (
  SELECT r.*, w.category, w.due_at
    FROM clue_warnings AS w
    JOIN clue_rows AS r USING (id)
   WHERE ($1::boolean
          OR r.district_code = ANY ($2::text[]) OR r.town_code = ANY ($2::text[])
          OR r.community_code = ANY ($2::text[]) OR r.grid_code = ANY ($2::text[])
          OR ($3::text IS NOT NULL AND ($3 = r.primary_unit_id OR $3 = ANY (r.co_notified) OR $3 = ANY (r.board_unit_ids))))
     AND ($4::text IS NULL OR r.district_code = $4)
     AND ($5::text IS NULL OR r.town_code = $5)
     AND ($6::text IS NULL OR r.primary_unit_id = $6 OR $6 = ANY (r.co_notified) OR $6 = ANY (r.board_unit_ids))
)
SELECT page.*, counts.counts
  FROM (SELECT coalesce(jsonb_object_agg(category, n), '{}'::jsonb) AS counts
          FROM (SELECT category, count(*)::int AS n FROM visible GROUP BY category) AS c) AS counts
  LEFT JOIN LATERAL (
        SELECT * FROM visible
         WHERE $7::text[] IS NULL OR category = ANY ($7::text[])
         ORDER BY array_position(ARRAY['escalated', 'overdue', 'due-soon'], category), due_at, id
         LIMIT $8 OFFSET $9) AS page ON true
