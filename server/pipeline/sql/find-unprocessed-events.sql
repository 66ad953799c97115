-- Stored events the pipeline has not taken yet, oldest event time first ($1: received before,
-- so the sink's own hand-off of fresh events goes first; $2: at most this many). Events in
-- back-off after a failure wait for their due time; given-up events are off the list.
SELECT e.device_id, e.event_id, e.kind, round(extract(epoch FROM e.ts) * 1000)::float8 AS ts_ms,
       round(extract(epoch FROM e.received_at) * 1000)::float8 AS received_ms, e.transport,
       ST_X(e.position) AS lon, ST_Y(e.position) AS lat, e.accuracy_m, e.flags, e.payload
  FROM pipeline_pending p
  JOIN device_events e ON e.id = p.event_pk
 WHERE p.received_at < to_timestamp($1::float8 / 1000.0)
   AND (p.due_at IS NULL OR p.due_at <= now())
 ORDER BY p.ts, p.event_pk
 LIMIT $2
