SELECT layer, id FROM geo_imports WHERE active
