SELECT EXISTS (SELECT 1 FROM geo_imports WHERE active) AS any
