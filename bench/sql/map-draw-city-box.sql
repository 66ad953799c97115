-- The demo city's box (its districts' extent): min lon, min lat, max lon, max lat.
SELECT ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1
  FROM (SELECT ST_Extent(geom)::box2d AS e FROM jurisdictions WHERE level = 'district') AS x
