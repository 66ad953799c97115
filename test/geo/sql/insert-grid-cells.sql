-- Grid cells from parallel arrays; geometry as GeoJSON text (JSON numbers round-trip doubles exactly).
INSERT INTO grid_cells (import_id, code, name, community_code, geom)
SELECT $1, t.code, t.name, t.community_code, ST_SetSRID(ST_GeomFromGeoJSON(t.geojson), 4326)
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(code, name, community_code, geojson)
