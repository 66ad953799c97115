SELECT id, transport, code, reason, raw, raw_encoding, raw_bytes, raw_sha256, raw_truncated, device_id, authenticated_device_id, topic, received_at,
       replayed_at, replay_result
FROM dead_letters WHERE id = $1;
