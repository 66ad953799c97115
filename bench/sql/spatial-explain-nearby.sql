-- The nearby query's plan at one point (whole-city scope), to show the KNN index is used.
EXPLAIN (COSTS OFF)
SELECT id FROM clues AS c
 WHERE ST_DWithin(c.position::geography, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography, 1000)
 ORDER BY c.position::geography <-> ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography
 LIMIT 20
