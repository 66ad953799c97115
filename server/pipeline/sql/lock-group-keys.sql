-- Takes a transaction-scoped advisory lock per clue group key of the batch, in one order for
-- everyone, so two replicas never both open a clue for the same problem ($1: group keys).
SELECT count(pg_advisory_xact_lock(h))::int AS locked
  FROM (SELECT DISTINCT hashtextextended(k, 7340114) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS keys
