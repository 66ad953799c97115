-- $1: import id, $2: level. Declared parent wins; otherwise the containing one.
INSERT INTO jurisdictions (import_id, level, code, name, parent_code, attrs, geom)
SELECT $1, $2, code, name, COALESCE(parent_code, spatial_parent), attrs, geom
  FROM geo_staging WHERE NOT rejected ORDER BY ord
