-- How many instructions of each warnings category a user may see, with the filters of
-- warning-instructions.sql except the category: $1-$3 scope, $4 district or town, $5 unit.
SELECT w.category, count(*)::int AS n
  FROM instruction_warnings AS w
  JOIN instructions AS i USING (id)
 WHERE ($1::boolean OR i.place_codes && $2::text[] OR ($3::text IS NOT NULL AND i.target_unit_id = $3))
   AND ($4::text IS NULL OR $4 = ANY (i.place_codes))
   AND ($5::text IS NULL OR i.target_unit_id = $5)
 GROUP BY w.category
