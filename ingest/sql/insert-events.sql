-- One multi-row insert per batch (unnest of column arrays), never one per event.
-- (device_id, event_id) is the idempotency key: a redelivered event is skipped, except when the
-- conflicting row was stored by this very batch ($12) on an attempt whose COMMIT reply was
-- lost; that row is "touched" so RETURNING reports it as this batch's, not as a duplicate.
-- Each newly inserted event (xmax 0: not a touched row) joins the clue pipeline's work list
-- (migration 115) in the same statement; a touched row's entry was made by its first attempt.
WITH stored AS (
  INSERT INTO device_events (device_id, event_id, kind, ts, received_at, transport, position, accuracy_m, flags, payload, ingest_batch)
  SELECT u.device_id, u.event_id, u.kind, to_timestamp(u.ts_ms / 1000.0), to_timestamp(u.received_ms / 1000.0), u.transport,
         ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), u.accuracy_m,
         COALESCE(string_to_array(NULLIF(u.flags, ''), ','), '{}'::text[]), u.payload::jsonb, $12::uuid
  FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[], $7::float8[], $8::float8[],
              $9::real[], $10::text[], $11::text[])
    AS u(device_id, event_id, kind, ts_ms, received_ms, transport, lon, lat, accuracy_m, flags, payload)
  ON CONFLICT (device_id, event_id) DO UPDATE SET ingest_batch = EXCLUDED.ingest_batch
    WHERE device_events.ingest_batch = EXCLUDED.ingest_batch
  RETURNING id, device_id, event_id, ts, received_at, xmax = 0 AS fresh
), pending AS (
  INSERT INTO pipeline_pending (event_pk, ts, received_at)
  SELECT id, ts, received_at FROM stored WHERE fresh
)
SELECT device_id, event_id FROM stored;
