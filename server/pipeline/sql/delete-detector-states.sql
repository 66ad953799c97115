-- Forgets parking states (one per plate and zone) whose last sighting is older than $1 (ms
-- since epoch); the caller keeps $1 well past the stale-stay limit, so every such stay is over.
DELETE FROM detector_states
 WHERE kind = 'parking-camera' AND state->'last' <> 'null'::jsonb AND (state->'last'->>'ts')::float8 < $1::float8
