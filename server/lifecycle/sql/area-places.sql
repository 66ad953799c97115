-- The active districts and towns a drawn area ($1: GeoJSON Polygon or MultiPolygon, WGS84)
-- overlaps (touching a boundary is not overlapping), and whether the area is a valid polygon.
WITH area AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4326) AS geom)
SELECT ST_IsValid(area.geom) AS valid, j.code, j.level, j.parent_code
  FROM area
  LEFT JOIN (jurisdictions AS j JOIN geo_imports AS g ON g.id = j.import_id AND g.active)
    ON j.level IN ('district', 'town')
   AND CASE WHEN ST_IsValid(area.geom) THEN ST_Intersects(j.geom, area.geom) AND NOT ST_Touches(j.geom, area.geom) ELSE false END
