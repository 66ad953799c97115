-- $1 import id.
SELECT id, layer, source, feature_count, active, created_by, created_at, report
  FROM geo_imports WHERE id = $1
