-- The soak's lag: events stored but not yet through the clue pipeline (its work list), and how
-- long the oldest of them has waited since it was received. Both flat over a soak = no growing lag.
SELECT count(*)::int AS pending,
       COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(received_at)), 0)::float8 AS oldest_s
  FROM pipeline_pending
