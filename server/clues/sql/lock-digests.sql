-- One replica at a time seals days ($1: the lock key); released when the transaction ends.
SELECT pg_advisory_xact_lock($1)
