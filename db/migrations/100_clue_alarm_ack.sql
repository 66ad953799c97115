-- The command centre's urgent-clue alarm (issue 11): acknowledging it is recorded on the clue's
-- timeline (action 'alarm.ack') and sent as a clue event of its own, so every console watching
-- the clue can close the same alarm:
--
--   alarm   an operator acknowledged the alarm; payload {change, clue, timeline}
ALTER TABLE clue_outbox DROP CONSTRAINT clue_outbox_change_check;
ALTER TABLE clue_outbox ADD CONSTRAINT clue_outbox_change_check
  CHECK (change IN ('created', 'updated', 'transitioned', 'deadline', 'evidence', 'alarm'));
