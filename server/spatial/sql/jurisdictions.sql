-- Active districts, towns or communities. $1 level, $2 parent code or NULL,
-- $3..$6 bbox (min lon, min lat, max lon, max lat) or NULLs, $7 simplify tolerance in degrees
-- (0: none), $8 whether to return geometry. 7 decimals ≈ 1 cm: plenty for a map.
SELECT j.code, j.name, j.parent_code,
       CASE WHEN $8::boolean THEN ST_AsGeoJSON(
         CASE WHEN $7::float8 > 0 AND ST_NPoints(j.geom) > 32 THEN ST_Multi(ST_SimplifyPreserveTopology(j.geom, $7::float8)) ELSE j.geom END, 7)::json
       END AS geometry
  FROM jurisdictions j
  JOIN geo_imports i ON i.id = j.import_id AND i.active
 WHERE j.level = $1
   AND ($2::text IS NULL OR j.parent_code = $2)
   AND ($3::float8 IS NULL OR j.geom && ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326))
 ORDER BY j.code
