-- The ingest bench's own rows on a real server it shares: its devices, their events and dead
-- letters, and the events' entries on the pipeline's work list (pipeline_pending has no foreign
-- key to device_events, so an event deleted alone would stay "pending" there for ever).
DELETE FROM pipeline_pending p USING device_events e WHERE e.id = p.event_pk AND e.device_id LIKE 'bench-%';
DELETE FROM device_events WHERE device_id LIKE 'bench-%';
DELETE FROM dead_letters WHERE device_id LIKE 'bench-%';
DELETE FROM devices WHERE id LIKE 'bench-%';
