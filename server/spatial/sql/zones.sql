-- Active zones. $1 type or NULL, $2..$5 bbox or NULLs, $6 whether to return geometry.
SELECT z.code, z.type, z.name, z.attrs,
       CASE WHEN $6::boolean THEN ST_AsGeoJSON(z.geom, 7)::json END AS geometry
  FROM zones z
  JOIN geo_imports i ON i.id = z.import_id AND i.active
 WHERE ($1::text IS NULL OR z.type = $1)
   AND ($2::float8 IS NULL OR z.geom && ST_MakeEnvelope($2::float8, $3::float8, $4::float8, $5::float8, 4326))
 ORDER BY z.type, z.code
