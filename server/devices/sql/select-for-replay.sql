-- The dead letters a filtered replay takes, oldest first so devices' events replay in order.
SELECT id, transport, raw, raw_encoding, raw_truncated, raw_bytes, raw_sha256, authenticated_device_id, topic
FROM dead_letters
WHERE ($1::text IS NULL OR transport = $1)
  AND ($2::text IS NULL OR code = $2)
  AND ($3::text IS NULL OR device_id = $3)
  AND ($4::timestamptz IS NULL OR received_at >= $4)
  AND ($5::timestamptz IS NULL OR received_at < $5)
  AND ($6::boolean OR replayed_at IS NULL)
  AND ($7::bigint[] IS NULL OR id = ANY($7))
ORDER BY id
LIMIT $8;
