-- The oracle for scoped nearby, by brute force (no index can serve it): every clue the scope may
-- see ($1-$3 as policy scopeSqlParams; the rule of canSeePlace written out), the $7 nearest of
-- them to ($4, $5) by distance on the sphere (what KNN's `<->` orders by), then those within $6
-- metres on the spheroid, nearest first, as the service returns them.
SELECT code, d
  FROM (SELECT c.id, c.code,
               ST_Distance(c.position::geography, ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, false) AS sphere,
               ST_Distance(c.position::geography, ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography) AS d
          FROM clues AS c
         WHERE $1::boolean
            OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
            OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[])
            OR ($3::text IS NOT NULL AND ($3 = c.primary_unit_id OR $3 = ANY (c.co_notified) OR $3 = ANY (c.board_unit_ids)))
         ORDER BY sphere, c.id
         LIMIT $7) AS nearest
 WHERE d <= $6::float8
 ORDER BY d, id
