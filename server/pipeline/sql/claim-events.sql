-- Claims a batch's stored events for this transaction ($1 device ids, $2 event ids): marks them
-- processed and returns the ones it marked. Rows another transaction holds (a replica's batch or
-- sweep on the same events) are skipped rather than waited for, and rows already processed or
-- given up are left out, so each event goes through detection exactly once: its mark commits
-- with the clues it caused, or rolls back with them.
UPDATE device_events d SET processed_at = now()
  FROM (SELECT e.id
          FROM device_events e
          JOIN unnest($1::text[], $2::text[]) AS k(device_id, event_id) USING (device_id, event_id)
         WHERE e.processed_at IS NULL AND e.pipeline_error IS NULL
           FOR UPDATE OF e SKIP LOCKED) AS c
 WHERE d.id = c.id
RETURNING d.device_id, d.event_id
