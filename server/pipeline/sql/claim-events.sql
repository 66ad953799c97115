-- Claims a batch's stored events for this transaction ($1 device ids, $2 event ids): takes them
-- off the work list (pipeline_pending, migration 115) and returns the ones it took. Entries
-- another transaction holds (a replica's batch or sweep on the same events) are skipped rather
-- than waited for, and events already processed or given up have no entry, so each event goes
-- through detection exactly once: its removal commits with the clues it caused, or rolls back
-- with them.
DELETE FROM pipeline_pending p
 USING (SELECT q.event_pk, e.device_id, e.event_id
          FROM unnest($1::text[], $2::text[]) AS k(device_id, event_id)
          JOIN device_events e USING (device_id, event_id)
          JOIN pipeline_pending q ON q.event_pk = e.id
           FOR UPDATE OF q SKIP LOCKED) AS c
 WHERE p.event_pk = c.event_pk
RETURNING c.device_id, c.event_id
