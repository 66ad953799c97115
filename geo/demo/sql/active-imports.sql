-- The active import of each layer and who made it ('demo' for the demo seed).
SELECT layer, created_by FROM geo_imports WHERE active
