-- $1: the layer the features should tile (its active import), $2: tolerance (m²).
-- For each parent that holds at least one feature: parent minus the union of the features
-- touching it, split into parts; parts above the tolerance are gaps. The overlay runs on a
-- 1e-9° (≈0.1 mm) grid: floating-point overlay of nearly coincident borders can fail silently
-- (GEOS 3.11 returned a whole town as "uncovered" where its cells covered it exactly).
WITH parents AS (
  SELECT p.code, p.geom
    FROM jurisdictions p JOIN geo_imports i ON i.id = p.import_id AND i.active AND i.layer = $1
   WHERE EXISTS (SELECT 1 FROM geo_staging s WHERE NOT s.rejected AND s.pos && p.geom AND ST_Covers(p.geom, s.pos))
), uncovered AS (
  SELECT p.code,
         ST_Difference(p.geom, (SELECT ST_Union(s.geom, 1e-9) FROM geo_staging s
                                 WHERE NOT s.rejected AND s.geom && p.geom AND ST_Intersects(s.geom, p.geom)), 1e-9) AS rest
    FROM parents p
), parts AS (
  SELECT u.code, d.geom, gw_area_m2(d.geom) AS area_m2
    FROM uncovered u CROSS JOIN LATERAL ST_Dump(u.rest) AS d
   WHERE ST_Dimension(d.geom) = 2
)
SELECT code, count(*)::integer AS parts, sum(area_m2) AS area_m2, max(area_m2) AS largest_m2,
       ST_X(ST_Centroid((array_agg(geom ORDER BY area_m2 DESC))[1])) AS x,
       ST_Y(ST_Centroid((array_agg(geom ORDER BY area_m2 DESC))[1])) AS y
  FROM parts
 WHERE area_m2 > $2
 GROUP BY code
 ORDER BY code
