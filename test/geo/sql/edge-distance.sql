-- Geodesic distance (m) from each point to the boundary of the active cell named for it: the
-- oracle for distanceToEdgeM.
SELECT p.i::int AS i, ST_Distance(ST_Boundary(c.geom)::geography, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)::geography) AS d
  FROM unnest($1::float8[], $2::float8[], $3::text[]) WITH ORDINALITY AS p(x, y, code, i)
  JOIN grid_cells c ON c.code = p.code
  JOIN geo_imports gi ON gi.id = c.import_id AND gi.active AND gi.layer = 'grids'
