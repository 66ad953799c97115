-- Active grid cells in a scope, for vector tiles. $1 whole city, $2 scope codes (policy
-- areaScopeSqlParams): a cell is in scope when it, its community, town or district is a scope code.
WITH active_j AS (
  SELECT j.code, j.parent_code
    FROM jurisdictions j
    JOIN geo_imports i ON i.id = j.import_id AND i.active
)
SELECT c.code, c.name, ST_AsGeoJSON(c.geom, 7)::json AS geometry
  FROM grid_cells c
  JOIN geo_imports i ON i.id = c.import_id AND i.active
  LEFT JOIN active_j m ON m.code = c.community_code
  LEFT JOIN active_j t ON t.code = m.parent_code
 WHERE $1::boolean
    OR c.code = ANY ($2::text[]) OR c.community_code = ANY ($2::text[])
    OR t.code = ANY ($2::text[]) OR t.parent_code = ANY ($2::text[])
 ORDER BY c.code
