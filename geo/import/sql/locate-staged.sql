-- Drops features with nothing left after repair; gives the rest a point inside them (for the
-- parent look-up), and fresh statistics so the pair joins use the spatial index.
UPDATE geo_staging
   SET rejected = rejected OR geom IS NULL OR ST_IsEmpty(geom),
       pos = CASE WHEN geom IS NULL OR ST_IsEmpty(geom) THEN NULL ELSE ST_PointOnSurface(geom) END;
ANALYZE geo_staging;
