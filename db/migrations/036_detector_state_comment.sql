-- Corrects what 031 said about detector state (applied migrations are never edited): the
-- pipeline does not keep it in memory. Each batch locks and reads its devices' rows inside its
-- clue transaction, because with a shared MQTT subscription one device's events are dealt to
-- several replicas, and an in-memory copy on each would see only part of the stream.
COMMENT ON TABLE detector_states IS 'Per state key detector state (dwell, sustain, latches); read and written under lock in each pipeline batch transaction, never cached across batches.';
