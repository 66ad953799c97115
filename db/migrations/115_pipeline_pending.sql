-- The clue pipeline's work list moves out of device_events into a narrow table of its own
-- (issue 13: pipeline throughput). Claiming an event used to UPDATE its device_events row
-- (processed_at): a second full copy of a wide row with its JSON payload, and, as the column was
-- in the work list's index predicate, never a HOT update, so every claim also wrote each index
-- of the table again and left a dead row for vacuum. Now the batch that stores an event adds a
-- small row here, and the pipeline transaction that detects it deletes that row: "processed"
-- commits with the clues it caused, as before, and device_events is written once.
--
-- A row here: stored, not yet through the pipeline, not given up. `attempts` and `due_at`
-- count failures of the event alone and put it off (back-off); once given up, the row goes and
-- device_events.pipeline_error (with pipeline_attempts) keeps why, as before.
CREATE TABLE pipeline_pending (
  event_pk    bigint PRIMARY KEY,
  ts          timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  attempts    smallint NOT NULL DEFAULT 0,
  due_at      timestamptz
);
-- The sweep's order: oldest event time first.
CREATE INDEX pipeline_pending_ts ON pipeline_pending (ts, event_pk);
-- Every row is inserted and soon deleted: vacuum it by dead rows, not by a share of a table that
-- is (almost) empty whenever it is looked at.
ALTER TABLE pipeline_pending SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000);

INSERT INTO pipeline_pending (event_pk, ts, received_at, attempts, due_at)
SELECT id, ts, received_at, pipeline_attempts, pipeline_due_at
  FROM device_events
 WHERE processed_at IS NULL AND pipeline_error IS NULL;

DROP INDEX device_events_unprocessed;
ALTER TABLE device_events DROP COLUMN processed_at, DROP COLUMN pipeline_due_at;
COMMENT ON COLUMN device_events.pipeline_attempts IS 'Failures of this event alone in the clue pipeline, recorded when it was given up (pipeline_error); while it is still pending they are counted in pipeline_pending.attempts.';
