-- Last seen time and position per device, once per batch. An event that arrives late (older
-- than the newest one stored) updates last_seen_at but never moves last_position back.
UPDATE devices d SET
  last_seen_at  = GREATEST(d.last_seen_at, to_timestamp(u.seen_ms / 1000.0)),
  last_position = CASE WHEN d.last_event_ts IS NULL OR d.last_event_ts < to_timestamp(u.ts_ms / 1000.0)
                       THEN ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) ELSE d.last_position END,
  last_event_ts = GREATEST(d.last_event_ts, to_timestamp(u.ts_ms / 1000.0))
FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[]) AS u(id, seen_ms, ts_ms, lon, lat)
WHERE d.id = u.id;
