-- Stores worker $1's fix ($2 lon, $3 lat, accuracy $4 m, phone time $5) if the worker is on
-- duty and stored no fix in the last $6 ms (the throttle). Returns whether it was on duty and
-- whether the fix was stored.
WITH duty AS (
  SELECT on_duty FROM worker_duty WHERE user_id = $1
), ins AS (
  INSERT INTO worker_positions (user_id, position, accuracy_m, at)
  SELECT $1, ST_SetSRID(ST_MakePoint($2::float8, $3::float8), 4326), $4, $5
   WHERE EXISTS (SELECT 1 FROM duty WHERE on_duty)
     AND NOT EXISTS (
       SELECT 1 FROM worker_positions
        WHERE user_id = $1 AND received_at > now() - make_interval(secs => $6::double precision / 1000))
  RETURNING id
)
SELECT coalesce((SELECT on_duty FROM duty), false) AS on_duty, EXISTS (SELECT 1 FROM ins) AS stored
