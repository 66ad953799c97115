-- A clue's evidence, in the order it was attached ($1 clue id).
SELECT e.*, ce.added_by, ce.added_at, ce.file_name
  FROM clue_evidence AS ce
  JOIN evidence AS e USING (sha256)
 WHERE ce.clue_id = $1
 ORDER BY ce.added_at, e.sha256
