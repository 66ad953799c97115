-- Serialises imports and activations of one layer (the one-active-per-layer index would
-- otherwise fail the second of two concurrent swaps). Released at commit or rollback.
SELECT pg_advisory_xact_lock(7340113, hashtext($1))
