-- Devices with their last-seen time and position; every filter is optional (NULL = any).
SELECT id, kind, home_unit_id, metadata, disabled, created_at, token_rotated_at, last_seen_at,
       ST_X(last_position) AS lon, ST_Y(last_position) AS lat
FROM devices
WHERE ($1::text IS NULL OR kind = $1)
  AND ($2::boolean IS NULL OR disabled = $2)
  AND ($3::text IS NULL OR id = $3)
  AND ($4::text IS NULL OR starts_with(id, $4))
ORDER BY id
LIMIT $5 OFFSET $6;
