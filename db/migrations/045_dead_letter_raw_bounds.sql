-- A payload over the ingest decode limit (GW_INGEST_TOO_LARGE: a 5 MB Kafka message, say) is kept
-- as its first 64 KiB only, so one hostile message cannot make a multi-megabyte row. Its original
-- size and SHA-256 say what it was; they are recorded for every new dead letter, so a letter can
-- be matched with its copy on device-events.dlq, which carries the same two in its headers.
ALTER TABLE dead_letters
  ADD COLUMN raw_bytes bigint,
  ADD COLUMN raw_sha256 text,
  ADD COLUMN raw_truncated boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT dead_letters_truncated_described CHECK (NOT raw_truncated OR (raw_bytes IS NOT NULL AND raw_sha256 IS NOT NULL));
COMMENT ON COLUMN dead_letters.raw_bytes IS 'Size in bytes of the payload as received (NULL for letters stored before migration 045).';
COMMENT ON COLUMN dead_letters.raw_sha256 IS 'Hex SHA-256 of the payload as received (NULL for letters stored before migration 045).';
COMMENT ON COLUMN dead_letters.raw_truncated IS 'raw holds only the first bytes of the payload (it was over the decode limit); such a letter cannot be replayed.';
