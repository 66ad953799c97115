-- $1: tolerance (m²). Pairs of features whose interiors share more area than the tolerance
-- (DE-9IM 2******** catches containment and duplicates too, which ST_Overlaps does not).
-- The intersection runs on a 1e-9° grid for robustness (see gaps.sql).
SELECT a_code, b_code, gw_area_m2(shared) AS area_m2, ST_X(ST_Centroid(shared)) AS x, ST_Y(ST_Centroid(shared)) AS y
  FROM (SELECT a.ord AS a_ord, b.ord AS b_ord, a.code AS a_code, b.code AS b_code, ST_Intersection(a.geom, b.geom, 1e-9) AS shared
          FROM geo_staging a
          JOIN geo_staging b ON a.ord < b.ord AND a.geom && b.geom
         WHERE NOT a.rejected AND NOT b.rejected AND ST_Relate(a.geom, b.geom, '2********')) q
 WHERE gw_area_m2(shared) > $1
 ORDER BY a_ord, b_ord
