-- Puts worker $1 on duty ($2 true, with radius $3 m) or off duty. Going on duty starts a new
-- duty period; going off records when it ended. Returns the row.
INSERT INTO worker_duty (user_id, on_duty, radius_m, since, ended_at)
VALUES ($1, $2, $3, now(), CASE WHEN $2 THEN NULL ELSE now() END)
ON CONFLICT (user_id) DO UPDATE
   SET on_duty = EXCLUDED.on_duty,
       radius_m = EXCLUDED.radius_m,
       since = CASE WHEN EXCLUDED.on_duty AND NOT worker_duty.on_duty THEN now() ELSE worker_duty.since END,
       ended_at = CASE WHEN EXCLUDED.on_duty THEN NULL WHEN worker_duty.on_duty THEN now() ELSE worker_duty.ended_at END
RETURNING on_duty, radius_m, since, ended_at
