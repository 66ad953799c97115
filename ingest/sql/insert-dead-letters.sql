-- One multi-row insert per batch. (ingest_batch, batch_seq) stores each letter once even when
-- the batch is retried after a lost COMMIT reply.
INSERT INTO dead_letters (transport, code, reason, raw, raw_encoding, device_id, authenticated_device_id, topic, received_at, ingest_batch, batch_seq,
                          raw_bytes, raw_sha256, raw_truncated)
SELECT u.transport, u.code, u.reason, u.raw, u.raw_encoding, u.device_id, u.authenticated_device_id, u.topic,
       to_timestamp(u.received_ms / 1000.0), $11::uuid, u.seq, u.raw_bytes, u.raw_sha256, u.raw_truncated
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::float8[], $10::int[],
            $12::bigint[], $13::text[], $14::boolean[])
  AS u(transport, code, reason, raw, raw_encoding, device_id, authenticated_device_id, topic, received_ms, seq, raw_bytes, raw_sha256, raw_truncated)
ON CONFLICT (ingest_batch, batch_seq) DO NOTHING;
