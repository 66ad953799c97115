-- Attaches evidence to a clue ($1 clue id, $2 sha256, $3 who: username or device:<id>, $4 the
-- uploader's file name, $5 when); no row comes back when it was attached already.
INSERT INTO clue_evidence (clue_id, sha256, added_by, file_name, added_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (clue_id, sha256) DO NOTHING
RETURNING added_at
