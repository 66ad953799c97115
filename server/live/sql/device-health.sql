-- Every enabled device with when it was last seen, where, and whether that is recent enough to
-- count as online: within $1 seconds, or three reporting intervals for a device that declares
-- a longer one (metadata.reportingIntervalS).
SELECT id, kind, last_seen_at, ST_X(last_position) AS lon, ST_Y(last_position) AS lat,
       coalesce(last_seen_at > now() - make_interval(secs => greatest($1::float8, 3 * coalesce((metadata ->> 'reportingIntervalS')::float8, 0))), false) AS online
  FROM devices
 WHERE NOT disabled
