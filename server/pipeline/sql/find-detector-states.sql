-- The stored detector states of a batch's state keys ($1), read after their locks are held.
SELECT state_key, state FROM detector_states WHERE state_key = ANY ($1::text[])
