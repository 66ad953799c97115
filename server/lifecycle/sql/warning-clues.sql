-- Clues on the warnings list (view clue_warnings) a user may see, most pressing first.
-- $1-$3 the scope (scopeSqlParams, as list-clues.sql); filters (NULL = any): $4 categories,
-- $5 district code, $6 town code, $7 unit (primary, co-notified or board); $8 limit, $9 offset.
SELECT r.*, w.category
  FROM clue_warnings AS w
  JOIN clue_rows AS r USING (id)
 WHERE ($1::boolean
        OR r.district_code = ANY ($2::text[]) OR r.town_code = ANY ($2::text[])
        OR r.community_code = ANY ($2::text[]) OR r.grid_code = ANY ($2::text[])
        OR ($3::text IS NOT NULL AND ($3 = r.primary_unit_id OR $3 = ANY (r.co_notified) OR $3 = ANY (r.board_unit_ids))))
   AND ($4::text[] IS NULL OR w.category = ANY ($4::text[]))
   AND ($5::text IS NULL OR r.district_code = $5)
   AND ($6::text IS NULL OR r.town_code = $6)
   AND ($7::text IS NULL OR r.primary_unit_id = $7 OR $7 = ANY (r.co_notified) OR $7 = ANY (r.board_unit_ids))
 ORDER BY array_position(ARRAY['escalated', 'overdue', 'due-soon'], w.category), w.due_at, r.id
 LIMIT $8 OFFSET $9
