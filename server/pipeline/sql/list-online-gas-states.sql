-- Gas sensors heard from and not yet reported offline: the candidates of the silence sweep.
SELECT state_key, state FROM detector_states
 WHERE kind = 'gas-sensor' AND state->'last' <> 'null'::jsonb AND NOT (state->>'offline')::boolean
