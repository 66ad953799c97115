INSERT INTO bench_cells (code, geom)
SELECT t.code, ST_SetSRID(ST_GeomFromGeoJSON(t.geojson), 4326)
  FROM unnest($1::text[], $2::text[]) AS t(code, geojson)
