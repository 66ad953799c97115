-- Detector states of the prior events' $1 sensors, as the pipeline left them (quiet, no episode).
INSERT INTO detector_states (state_key, kind, device_id, state, updated_at)
SELECT 'device:prior-gas-' || d, 'gas-sensor', 'prior-gas-' || d,
       jsonb_build_object('kind', 'gas-sensor', 'deviceId', 'prior-gas-' || d,
                          'last', jsonb_build_object('ts', extract(epoch FROM now()) * 1000 - 3600000, 'eventId', 'prior-' || d),
                          'lastPosition', jsonb_build_object('lon', 121.5, 'lat', 29.86), 'level', 'none', 'alerted', 'none',
                          'peakLelPct', 0, 'episodeEventIds', '[]'::jsonb, 'tamper', false, 'offline', false),
       now()
  FROM generate_series(0, $1::int - 1) AS d
