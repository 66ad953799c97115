-- $1 import id, $2 features imported, $3 report.
UPDATE geo_imports SET feature_count = $2, report = $3::jsonb WHERE id = $1
