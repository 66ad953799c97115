-- Stored events the pipeline has not taken yet, oldest event time first ($1: received before,
-- so the sink's own hand-off of fresh events goes first; $2: at most this many). Events in
-- back-off after a failure wait for their due time; given-up events are left out.
SELECT device_id, event_id, kind, round(extract(epoch FROM ts) * 1000)::float8 AS ts_ms,
       round(extract(epoch FROM received_at) * 1000)::float8 AS received_ms, transport,
       ST_X(position) AS lon, ST_Y(position) AS lat, accuracy_m, flags, payload
  FROM device_events
 WHERE processed_at IS NULL AND pipeline_error IS NULL
   AND received_at < to_timestamp($1::float8 / 1000.0)
   AND (pipeline_due_at IS NULL OR pipeline_due_at <= now())
 ORDER BY ts, id
 LIMIT $2
