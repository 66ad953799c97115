-- Prior device events, all processed (as a running city's are: none on the pipeline's work list): $1 events from $2 gas sensors,
-- one a minute each, ending an hour before the measured batches. Payloads are like the real ones.
INSERT INTO device_events (device_id, event_id, kind, ts, received_at, transport, position, accuracy_m, flags, payload,
                           ingest_batch)
SELECT 'prior-gas-' || (g % $2::int), 'prior-' || g, 'gas-sensor', t, t, 'mqtt',
       ST_SetSRID(ST_MakePoint(121.50 + (g % 997) * 0.00005, 29.86 + (g % 991) * 0.00004), 4326), 5, '{}',
       jsonb_build_object('lelPct', g % 7, 'coPpm', null, 'batteryPct', 80, 'tamper', false, 'sourceCrs', 'wgs84'),
       NULL
  FROM generate_series(1, $1::int) AS g,
       LATERAL (SELECT now() - interval '1 hour' - make_interval(mins => ($1::int - g) / $2::int)) AS x(t)
