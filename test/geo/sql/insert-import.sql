-- An active import row for one layer (tests write layers directly, not through the importer).
INSERT INTO geo_imports (layer, source, feature_count, active) VALUES ($1, $2, $3, true) RETURNING id
