-- Ingest core (issue 4): exactly-once batches, replayable dead letters, device last-seen.

-- The batch that stored an event. A batch whose COMMIT reply was lost is retried with the same
-- id; rows it already stored then count as its own (accepted), not as duplicates of another
-- delivery, so the downstream stages still see them once.
ALTER TABLE device_events ADD COLUMN ingest_batch uuid;

-- Dead letters keep the raw bytes (base64 when they are not storable UTF-8 text) and the
-- device the transport authenticated, which replay must keep: a replay never lets a device
-- speak for another. (ingest_batch, batch_seq) makes a retried batch store each letter once.
ALTER TABLE dead_letters
  ADD COLUMN raw_encoding text NOT NULL DEFAULT 'utf8' CHECK (raw_encoding IN ('utf8', 'base64')),
  ADD COLUMN authenticated_device_id text,
  ADD COLUMN ingest_batch uuid,
  ADD COLUMN batch_seq integer;
CREATE UNIQUE INDEX dead_letters_batch_seq ON dead_letters (ingest_batch, batch_seq);
CREATE INDEX dead_letters_code ON dead_letters (code, received_at DESC);
CREATE INDEX dead_letters_transport ON dead_letters (transport, received_at DESC);

-- Device time of the newest event, so an old event arriving late never moves last_position back.
ALTER TABLE devices ADD COLUMN last_event_ts timestamptz;
