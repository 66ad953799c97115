-- $1 layer or NULL for all. Newest first; the summary, not the whole report.
SELECT id, layer, source, feature_count, active, created_by, created_at,
       report->>'status' AS status, report->'summary' AS summary
  FROM geo_imports
 WHERE $1::text IS NULL OR layer = $1
 ORDER BY id DESC
