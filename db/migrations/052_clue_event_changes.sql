-- The clue event shape agreed between the closed loop (issue 9) and the live map (issue 10),
-- see server/clues/clue-event.ts. Two changes join 'created', 'updated' and 'transitioned':
--
--   deadline   the deadline scheduler took a step (warning 预警, overdue 超期, escalation 升级);
--              payload {change, clue, step: {kind, deadline, dueAt, level?}, timeline}
--   evidence   evidence was attached (a photo uploaded, a camera image kept);
--              payload {change, clue, evidence: {sha256, ...}, timeline}
ALTER TABLE clue_outbox DROP CONSTRAINT clue_outbox_change_check;
ALTER TABLE clue_outbox ADD CONSTRAINT clue_outbox_change_check
  CHECK (change IN ('created', 'updated', 'transitioned', 'deadline', 'evidence'));
