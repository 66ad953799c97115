-- The oracle for zones: every active zone that ST_Covers each point.
SELECT p.i::int AS i, z.code
  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)
 CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(p.x, p.y), 4326) AS pt) q
  JOIN zones z ON ST_Covers(z.geom, q.pt)
  JOIN geo_imports gi ON gi.id = z.import_id AND gi.active AND gi.layer = 'zones'
