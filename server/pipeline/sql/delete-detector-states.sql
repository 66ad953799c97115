-- Forgets detector states that hold nothing any more ($1: state keys), e.g. parking stays
-- long over: one row per plate and zone would otherwise accumulate for ever.
DELETE FROM detector_states WHERE state_key = ANY ($1::text[])
