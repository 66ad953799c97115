-- One event the pipeline failed on alone ($1 device id, $2 event id, $3 the error): counts the
-- attempt on its work-list entry and puts it off for $4 ms doubled per earlier attempt. At the
-- $5th attempt it is given up: the entry goes, device_events keeps why (pipeline_error) and how
-- often it failed, and a dead letter ($7: GW_PIPELINE_FAILED) makes it visible in the admin API
-- ($6: the event as JSON, kept as the letter's raw text). Returns whether it was given up; no
-- row when the event is not pending (processed or given up meanwhile).
WITH target AS (
  SELECT p.event_pk, p.attempts + 1 AS attempts, e.device_id, e.transport
    FROM device_events e
    JOIN pipeline_pending p ON p.event_pk = e.id
   WHERE e.device_id = $1::text AND e.event_id = $2::text
     FOR UPDATE OF p
), put_off AS (
  UPDATE pipeline_pending p
     SET attempts = t.attempts,
         due_at = now() + make_interval(secs => $4::float8 / 1000.0 * 2 ^ (t.attempts - 1))
    FROM target t
   WHERE p.event_pk = t.event_pk AND t.attempts < $5::int
), dropped AS (
  DELETE FROM pipeline_pending p USING target t WHERE p.event_pk = t.event_pk AND t.attempts >= $5::int
), given_up AS (
  UPDATE device_events e
     SET pipeline_error = $3::text, pipeline_attempts = t.attempts
    FROM target t
   WHERE e.id = t.event_pk AND t.attempts >= $5::int
  RETURNING e.device_id, e.transport, e.pipeline_attempts, e.pipeline_error
), letter AS (
  INSERT INTO dead_letters (transport, code, reason, raw, device_id, authenticated_device_id)
  SELECT transport, $7::text, format('the clue pipeline failed %s times on this stored event: %s', pipeline_attempts, pipeline_error),
         $6::text, device_id, device_id
    FROM given_up
)
SELECT t.attempts >= $5::int AS gave_up FROM target t
