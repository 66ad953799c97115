-- The oracle: for each point (by ordinal), every active cell that ST_Covers it, and whether it
-- also ST_Contains it (false = the point is on that cell's boundary).
SELECT p.i::int AS i, c.code, ST_Contains(c.geom, q.pt) AS interior
  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)
 CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(p.x, p.y), 4326) AS pt) q
  JOIN grid_cells c ON ST_Covers(c.geom, q.pt)
  JOIN geo_imports gi ON gi.id = c.import_id AND gi.active AND gi.layer = 'grids'
