-- Active zones in a scope, for vector tiles. $1 whole city, $2 scope codes (policy
-- areaScopeSqlParams): a zone is in scope when its interior overlaps a scope area (a boundary
-- or grid cell with a scope code); merely touching its edge is not enough. Zones are sent whole.
WITH scope_areas AS (
  SELECT j.geom FROM jurisdictions j JOIN geo_imports i ON i.id = j.import_id AND i.active WHERE j.code = ANY ($2::text[])
  UNION ALL
  SELECT c.geom FROM grid_cells c JOIN geo_imports i ON i.id = c.import_id AND i.active WHERE c.code = ANY ($2::text[])
)
SELECT z.code, z.name, z.type, ST_AsGeoJSON(z.geom, 7)::json AS geometry
  FROM zones z
  JOIN geo_imports i ON i.id = z.import_id AND i.active
 WHERE $1::boolean
    OR EXISTS (SELECT 1 FROM scope_areas s WHERE ST_Intersects(s.geom, z.geom) AND NOT ST_Touches(s.geom, z.geom))
 ORDER BY z.type, z.code
