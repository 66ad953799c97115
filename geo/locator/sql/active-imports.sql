-- The active import id of each geo layer.
SELECT layer, id FROM geo_imports WHERE active
