-- Which stored device events the clue pipeline has taken (crash recovery, DESIGN.md §9).
-- The sink acknowledges a batch once it is stored and only then hands it to the pipeline, so a
-- crash (or a failed pipeline batch) in between would leave events stored but never detected;
-- redelivery cannot help, as a redelivered event is a duplicate. The pipeline's own transaction
-- therefore claims its events by setting processed_at: "processed" and the clues, timeline and
-- detector states it wrote commit together, and a sweep takes up what is left.

-- Events stored before this migration went through the pipeline of their day (or cannot be told
-- apart from those that did): they count as processed. A stable default is stored in the
-- catalogue, not written into every row; dropping it makes new events unprocessed (NULL).
ALTER TABLE device_events ADD COLUMN processed_at timestamptz DEFAULT now();
ALTER TABLE device_events ALTER COLUMN processed_at DROP DEFAULT;

-- Failed sweeps: how many times the pipeline failed on the event alone, when it may be tried
-- again (back-off), and, once it has failed too often, why it was given up (the event then
-- stays unprocessed for the record, also as a GW_PIPELINE_FAILED dead letter, and is skipped).
ALTER TABLE device_events
  ADD COLUMN pipeline_attempts smallint NOT NULL DEFAULT 0,
  ADD COLUMN pipeline_due_at timestamptz,
  ADD COLUMN pipeline_error text;

-- The sweep's work list, in event time order: normally (almost) empty, so cheap to scan.
CREATE INDEX device_events_unprocessed ON device_events (ts, id) WHERE processed_at IS NULL AND pipeline_error IS NULL;
