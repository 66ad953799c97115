-- The on-duty workers of unit $1 to alert about a clue at ($3 lon, $4 lat) in grid cell $2:
-- those whose last fix of this duty period is within their radius, and those holding the
-- cell in their scopes. Nearest first (geodesic metres); a worker with no fix comes last.
WITH last_fix AS (
  SELECT DISTINCT ON (p.user_id) p.user_id, p.position
    FROM worker_positions p
    JOIN worker_duty d ON d.user_id = p.user_id AND d.on_duty AND p.received_at >= d.since
   ORDER BY p.user_id, p.at DESC, p.id DESC
), clue AS (
  SELECT ST_SetSRID(ST_MakePoint($3::float8, $4::float8), 4326)::geography AS g
)
SELECT u.id, u.username,
       ST_Distance(l.position::geography, clue.g)::float8 AS distance_m
  FROM users u
  JOIN worker_duty d ON d.user_id = u.id AND d.on_duty
  LEFT JOIN last_fix l ON l.user_id = u.id
  CROSS JOIN clue
 WHERE u.role = 'worker' AND NOT u.disabled AND u.unit_id = $1
   AND ((l.position IS NOT NULL AND ST_DWithin(l.position::geography, clue.g, d.radius_m))
        OR ($2::text IS NOT NULL AND $2 = ANY (u.scopes)))
 ORDER BY distance_m NULLS LAST, u.id
