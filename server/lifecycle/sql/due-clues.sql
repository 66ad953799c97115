-- The claimed clues ($1 ids) as clue_rows, read after the lock (a fresh snapshot), with their
-- deadline plan and whether a unit has accepted them (an accept on the timeline).
SELECT r.*, c.deadline_plan,
       EXISTS (SELECT 1 FROM clue_timeline t WHERE t.clue_id = r.id AND t.action = 'accept') AS accepted
  FROM clue_rows AS r
  JOIN clues AS c USING (id)
 WHERE r.id = ANY ($1::bigint[])
 ORDER BY r.id
