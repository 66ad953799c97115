-- Dead letters, newest first, keyset-paged by id ($7 = "before this id"). Filters are optional (NULL = any).
SELECT id, transport, code, reason, device_id, authenticated_device_id, topic, received_at,
       replayed_at, replay_result, raw_encoding, length(raw) AS raw_length, raw_bytes, raw_sha256, raw_truncated
FROM dead_letters
WHERE ($1::text IS NULL OR transport = $1)
  AND ($2::text IS NULL OR code = $2)
  AND ($3::text IS NULL OR device_id = $3)
  AND ($4::timestamptz IS NULL OR received_at >= $4)
  AND ($5::timestamptz IS NULL OR received_at < $5)
  AND ($6::boolean IS NULL OR (replayed_at IS NOT NULL) = $6)
  AND ($7::bigint IS NULL OR id < $7)
ORDER BY id DESC
LIMIT $8;
