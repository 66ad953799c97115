-- Zones of the active 'zones' import, geometry as WKB.
SELECT z.code, z.name, z.type, z.attrs, ST_AsBinary(z.geom) AS wkb
  FROM zones z
  JOIN geo_imports i ON i.id = z.import_id
 WHERE i.active AND i.layer = 'zones'
