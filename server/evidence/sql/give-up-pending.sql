-- A queued camera image cannot become evidence ($1 pending id, $2 why); the row stays for inspection.
UPDATE evidence_pending SET problem = $2 WHERE id = $1
