-- Issues an instruction: $1 issued by, $2 issued at (ms), $3 target unit, $4 subject kind,
-- $5 clue id, $6 jurisdiction code, $7 area (GeoJSON polygon or multipolygon, WGS84), $8 place
-- codes, $9 title, $10 body, $11 due at (ms), $12 deadline plan, $13 next deadline look (ms).
INSERT INTO instructions (issued_by, issued_at, target_unit_id, subject_kind, clue_id, jurisdiction_code, area, place_codes,
                          title, body, due_at, deadline_plan, next_deadline_at)
VALUES ($1, to_timestamp($2::float8 / 1000), $3, $4, $5, $6,
        CASE WHEN $7::text IS NULL THEN NULL ELSE ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($7::text), 4326)) END,
        $8::text[], $9, $10, to_timestamp($11::float8 / 1000), $12::jsonb, to_timestamp($13::float8 / 1000))
RETURNING id
