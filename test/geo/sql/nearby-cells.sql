-- Geodesic distance (spheroid, metres) from each point to every active cell whose box is
-- within $3 degrees: the oracle for the nearest-cell fallback.
SELECT p.i::int AS i, c.code, ST_Distance(c.geom::geography, q.pt::geography) AS d
  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)
 CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(p.x, p.y), 4326) AS pt) q
  JOIN grid_cells c ON c.geom && ST_Expand(q.pt, $3)
  JOIN geo_imports gi ON gi.id = c.import_id AND gi.active AND gi.layer = 'grids'
