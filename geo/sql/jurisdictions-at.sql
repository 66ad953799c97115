-- Jurisdictions of the active imports whose polygon contains the point, coarsest first.
SELECT j.level, j.code, j.name, j.parent_code
FROM jurisdictions j
JOIN geo_imports i ON i.id = j.import_id AND i.active
WHERE ST_Contains(j.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
ORDER BY CASE j.level WHEN 'district' THEN 1 WHEN 'town' THEN 2 ELSE 3 END, j.code;
