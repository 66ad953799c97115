-- New catalogue versions in one statement. $1: jsonb array of {version, effective_from, note_zh,
-- note_en, data}; $2: source ('json' | 'csv' | 'demo'); $3: importing username (or null).
INSERT INTO catalogue_versions (version, effective_from, note_zh, note_en, data, source, imported_by)
SELECT v.version, v.effective_from, v.note_zh, v.note_en, v.data, $2, $3
  FROM jsonb_to_recordset($1::jsonb) AS v(version integer, effective_from date, note_zh text, note_en text, data jsonb)
