-- The plan of one scope code's branch of the nearby query (server/spatial/sql/nearby-clues.sql) at
-- one point ($1 lon, $2 lat), for town $3 within 2 km: an ordered scan of the town's part of
-- clues_town_geog.
EXPLAIN (COSTS OFF)
SELECT c.id
  FROM clues AS c
 WHERE c.town_code = $3::text
   AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography, 2000)
 ORDER BY c.position::geography <-> ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography
 LIMIT 20
