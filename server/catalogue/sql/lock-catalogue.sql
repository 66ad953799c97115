-- Serialises catalogue and unit imports across replicas for the rest of the transaction.
SELECT pg_advisory_xact_lock(7340113)
