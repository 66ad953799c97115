-- Takes a transaction-scoped advisory lock per key, in one order for everyone ($1: keys; $2: a
-- namespace seed, so detector-state keys and clue group keys hash apart). Replicas handling
-- the same device, plate or clue group then take turns: no lost state update, no clue opened
-- twice. Keys need no row to exist yet, unlike FOR UPDATE.
SELECT count(pg_advisory_xact_lock(h))::int AS locked
  FROM (SELECT DISTINCT hashtextextended(k, $2::bigint) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS keys
