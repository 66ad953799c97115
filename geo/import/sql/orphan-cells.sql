-- Staged grid cells that declare no community (used when no communities import is active).
SELECT ord, code FROM geo_staging WHERE parent_code IS NULL AND NOT rejected ORDER BY ord
