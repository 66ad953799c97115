-- Grid cells of the active 'grids' import, geometry as WKB (exact doubles, unlike text formats).
SELECT c.code, c.name, c.community_code, ST_AsBinary(c.geom) AS wkb
  FROM grid_cells c
  JOIN geo_imports i ON i.id = c.import_id
 WHERE i.active AND i.layer = 'grids'
