-- Zones from parallel arrays; geometry as GeoJSON text, attrs as JSON text.
INSERT INTO zones (import_id, code, type, name, attrs, geom)
SELECT $1, t.code, t.type, t.name, t.attrs::jsonb, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(t.geojson), 4326))
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(code, type, name, attrs, geojson)
