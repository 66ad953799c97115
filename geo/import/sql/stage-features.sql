-- $1: JSON array of {ord, code, name, parent_code, attrs, zone_type, buffer_m, geometry}.
INSERT INTO geo_staging (ord, code, name, parent_code, attrs, zone_type, buffer_m, src)
SELECT f.ord, f.code, f.name, f.parent_code, f.attrs, f.zone_type, f.buffer_m,
       ST_SetSRID(ST_GeomFromGeoJSON(f.geometry::text), 4326)
  FROM jsonb_to_recordset($1::jsonb) AS f(ord integer, code text, name text, parent_code text, attrs jsonb,
                                          zone_type text, buffer_m double precision, geometry jsonb)
