-- Every stored detector state, read once at start-up.
SELECT state_key, state FROM detector_states
