-- $1 layer, $2 source, $3 created_by. Inactive until the import has been checked.
INSERT INTO geo_imports (layer, source, created_by) VALUES ($1, $2, $3) RETURNING id
