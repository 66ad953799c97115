-- What ST_MakeValid changed, per repaired feature (areas in m², see gw_area_m2).
SELECT ord, code, reason, gw_area_m2(src) AS area_before, gw_area_m2(geom) AS area_after,
       ST_NumGeometries(src) AS parts_before, ST_NumGeometries(geom) AS parts_after, rejected
  FROM geo_staging
 WHERE reason IS NOT NULL
 ORDER BY ord
