-- Detector state (issue 5): one row per state key (`stateKey(event)` in server/rules/detect.ts:
-- `device:<id>`, or `parking:<zone>:<plate>` for cameras). The state is the detector's own
-- plain JSON (dwell and sustain timers, latches, last event). The pipeline keeps it in memory,
-- writes every state a batch changed in one multi-row upsert in the batch's clue transaction,
-- and loads all rows at start-up, so a restart keeps trucks' dwell and bridges' sustain
-- windows where they were.
CREATE TABLE detector_states (
  state_key  text PRIMARY KEY,
  kind       text NOT NULL CHECK (kind IN ('waste-truck', 'gas-sensor', 'bridge-sensor', 'parking-camera')),
  device_id  text NOT NULL,
  state      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX detector_states_device ON detector_states (device_id);
