-- How many clues of each warnings category a user may see, with the filters of
-- warning-clues.sql except the category: $1-$3 scope, $4 district, $5 town, $6 unit.
SELECT w.category, count(*)::int AS n
  FROM clue_warnings AS w
  JOIN clue_rows AS r USING (id)
 WHERE ($1::boolean
        OR r.district_code = ANY ($2::text[]) OR r.town_code = ANY ($2::text[])
        OR r.community_code = ANY ($2::text[]) OR r.grid_code = ANY ($2::text[])
        OR ($3::text IS NOT NULL AND ($3 = r.primary_unit_id OR $3 = ANY (r.co_notified) OR $3 = ANY (r.board_unit_ids))))
   AND ($4::text IS NULL OR r.district_code = $4)
   AND ($5::text IS NULL OR r.town_code = $5)
   AND ($6::text IS NULL OR r.primary_unit_id = $6 OR $6 = ANY (r.co_notified) OR $6 = ANY (r.board_unit_ids))
 GROUP BY w.category
