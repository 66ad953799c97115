-- Jurisdictions from parallel arrays; the locator reads only codes and parents, so each gets the test box as geometry.
INSERT INTO jurisdictions (import_id, level, code, name, parent_code, geom)
SELECT $1, t.level, t.code, t.name, t.parent_code, ST_Multi(ST_MakeEnvelope($6, $7, $8, $9, 4326))
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(level, code, name, parent_code)
