-- Active districts, towns or communities in a scope, for vector tiles. $1 whole city, $2 scope
-- codes (policy areaScopeSqlParams): an area is in scope when it, its parent or its
-- grandparent is a scope code; $3 level. 7 decimals ≈ 1 cm; geojson-vt simplifies per zoom.
WITH active_j AS (
  SELECT j.code, j.name, j.level, j.parent_code, j.geom
    FROM jurisdictions j
    JOIN geo_imports i ON i.id = j.import_id AND i.active
)
SELECT a.code, a.name, ST_AsGeoJSON(a.geom, 7)::json AS geometry
  FROM active_j a
  LEFT JOIN active_j p ON p.code = a.parent_code
 WHERE a.level = $3::text
   AND ($1::boolean OR a.code = ANY ($2::text[]) OR p.code = ANY ($2::text[]) OR p.parent_code = ANY ($2::text[]))
 ORDER BY a.code
