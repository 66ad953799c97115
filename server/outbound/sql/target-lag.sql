-- Per target: events not yet done with (counted up to 100,000) and the age in seconds of the
-- oldest of them, for the lag gauges.
SELECT t.target,
       (SELECT count(*) FROM (SELECT 1 FROM clue_outbox o WHERE o.id > t.last_id LIMIT 100000) AS p)::int AS pending,
       coalesce(extract(epoch FROM now() - (SELECT o.created_at FROM clue_outbox o WHERE o.id > t.last_id ORDER BY o.id LIMIT 1)), 0)::float8 AS age_s
  FROM outbound_targets t
