-- One event the pipeline failed on alone ($1 device id, $2 event id, $3 the error): counts the
-- attempt and puts it off for $4 ms doubled per earlier attempt. At the $5th attempt it is given
-- up (pipeline_error) and a dead letter ($7: GW_PIPELINE_FAILED) makes it visible in the admin
-- API ($6: the event as JSON, kept as the letter's raw text). Returns whether it was given up.
WITH failed AS (
  UPDATE device_events
     SET pipeline_attempts = pipeline_attempts + 1,
         pipeline_due_at = now() + make_interval(secs => $4::float8 / 1000.0 * 2 ^ pipeline_attempts),
         pipeline_error = CASE WHEN pipeline_attempts + 1 >= $5::int THEN $3::text END
   WHERE device_id = $1::text AND event_id = $2::text AND processed_at IS NULL AND pipeline_error IS NULL
  RETURNING device_id, transport, pipeline_attempts, pipeline_error
), letter AS (
  INSERT INTO dead_letters (transport, code, reason, raw, device_id, authenticated_device_id)
  SELECT transport, $7::text, format('the clue pipeline failed %s times on this stored event: %s', pipeline_attempts, pipeline_error),
         $6::text, device_id, device_id
    FROM failed WHERE pipeline_error IS NOT NULL
)
SELECT pipeline_error IS NOT NULL AS gave_up FROM failed
