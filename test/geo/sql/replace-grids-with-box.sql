-- Deactivates the grids import and activates a new one holding a single cell 'BOX' over [$1 $2 $3 $4].
WITH old AS (
  UPDATE geo_imports SET active = false WHERE layer = 'grids' AND active RETURNING id
), fresh AS (
  INSERT INTO geo_imports (layer, source, feature_count, active)
  SELECT 'grids', 'test-replacement', 1, true FROM (SELECT count(*) FROM old) AS wait_for_old
  RETURNING id
)
INSERT INTO grid_cells (import_id, code, name, community_code, geom)
SELECT fresh.id, 'BOX', 'box', '330203001001', ST_Multi(ST_MakeEnvelope($1, $2, $3, $4, 4326)) FROM fresh
