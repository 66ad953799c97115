-- Deletes fixes older than the retention $1 (ms) that are not of a duty period under way: the
-- worker is off duty, or the fix predates the current period. Returns how many went.
WITH gone AS (
  DELETE FROM worker_positions p
   USING worker_duty d
   WHERE p.user_id = d.user_id
     AND p.received_at < now() - make_interval(secs => $1::double precision / 1000)
     AND (NOT d.on_duty OR p.received_at < d.since)
  RETURNING p.id
)
SELECT count(*)::int AS purged FROM gone
