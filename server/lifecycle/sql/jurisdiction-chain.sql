-- An active jurisdiction ($1 code) and the ones above it (town → district), with their levels.
WITH RECURSIVE chain AS (
  SELECT j.code, j.level, j.parent_code, 0 AS depth
    FROM jurisdictions AS j
    JOIN geo_imports AS g ON g.id = j.import_id AND g.active
   WHERE j.code = $1
  UNION ALL
  SELECT p.code, p.level, p.parent_code, chain.depth + 1
    FROM chain
    JOIN jurisdictions AS p ON p.code = chain.parent_code
    JOIN geo_imports AS g ON g.id = p.import_id AND g.active
   WHERE chain.depth < 4
)
SELECT code, level FROM chain ORDER BY depth
