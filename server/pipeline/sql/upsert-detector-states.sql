-- The detector states a batch changed, in one statement ($1: jsonb array of {state_key, kind,
-- device_id, state}).
INSERT INTO detector_states (state_key, kind, device_id, state, updated_at)
SELECT s.state_key, s.kind, s.device_id, s.state, now()
  FROM jsonb_to_recordset($1::jsonb) AS s(state_key text, kind text, device_id text, state jsonb)
ON CONFLICT (state_key) DO UPDATE SET kind = EXCLUDED.kind, device_id = EXCLUDED.device_id, state = EXCLUDED.state, updated_at = now()
