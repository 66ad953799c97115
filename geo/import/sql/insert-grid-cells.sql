-- $1: import id. Cells without a community were dropped before this.
INSERT INTO grid_cells (import_id, code, name, community_code, attrs, geom)
SELECT $1, code, name, COALESCE(parent_code, spatial_parent), attrs, geom
  FROM geo_staging WHERE NOT rejected ORDER BY ord
