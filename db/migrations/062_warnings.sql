-- The warnings list (预警单, issue 9, docs/DEADLINES.md): which open clues and instructions are
-- due soon (warned), overdue or escalated, from the deadline scheduler's steps, defined once
-- here for the list and its counts.
--   clue_warnings         escalated (above town level) > overdue > due soon; a deadline already
--                         met (accepted) no longer counts; due_at is the deadline in question
--   instruction_warnings  overdue > due soon, until answered
CREATE VIEW clue_warnings AS
SELECT id, category, due_at
  FROM (SELECT id,
               CASE WHEN escalation_level <> 'town' THEN 'escalated'
                    WHEN 'close.overdue' = ANY (deadline_done) OR (accept_pending AND 'accept.overdue' = ANY (deadline_done)) THEN 'overdue'
                    WHEN 'close.warning' = ANY (deadline_done) OR (accept_pending AND 'accept.warning' = ANY (deadline_done)) THEN 'due-soon'
               END AS category,
               CASE WHEN accept_pending THEN accept_due_at ELSE close_due_at END AS due_at
          FROM (SELECT c.id, c.escalation_level, c.deadline_done, c.accept_due_at, c.close_due_at,
                       c.status IN ('new', 'dispatched', 'rejected', 'transferred')
                         AND NOT EXISTS (SELECT 1 FROM clue_timeline t WHERE t.clue_id = c.id AND t.action = 'accept') AS accept_pending
                  FROM clues AS c
                 WHERE c.status NOT IN ('closed', 'escalated', 'merged') AND c.deadline_done <> '{}') AS open) AS w
 WHERE category IS NOT NULL;

CREATE VIEW instruction_warnings AS
SELECT id, category, due_at
  FROM (SELECT id,
               CASE WHEN 'answer.overdue' = ANY (deadline_done) THEN 'overdue'
                    WHEN 'answer.warning' = ANY (deadline_done) THEN 'due-soon'
               END AS category,
               due_at
          FROM instructions
         WHERE status <> 'answered' AND deadline_done <> '{}') AS w
 WHERE category IS NOT NULL;
