-- $1: import id.
INSERT INTO zones (import_id, code, type, name, attrs, geom)
SELECT $1, code, zone_type, name, attrs, geom
  FROM geo_staging WHERE NOT rejected ORDER BY ord
