-- Active grid cells; parameters as in jurisdictions.sql ($2 filters by community code).
SELECT c.code, c.name, c.community_code AS parent_code,
       CASE WHEN $8::boolean THEN ST_AsGeoJSON(
         CASE WHEN $7::float8 > 0 AND ST_NPoints(c.geom) > 32 THEN ST_Multi(ST_SimplifyPreserveTopology(c.geom, $7::float8)) ELSE c.geom END, 7)::json
       END AS geometry
  FROM grid_cells c
  JOIN geo_imports i ON i.id = c.import_id AND i.active
 WHERE $1::text = 'grid'
   AND ($2::text IS NULL OR c.community_code = $2)
   AND ($3::float8 IS NULL OR c.geom && ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326))
 ORDER BY c.code
