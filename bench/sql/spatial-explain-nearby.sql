-- The nearby query's plan at one point (whole-city scope, 2 km), to show the ordered KNN index scan.
EXPLAIN (COSTS OFF)
SELECT id FROM clues AS c
 WHERE c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography, 2000)
 ORDER BY c.position::geography <-> ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography
 LIMIT 20
