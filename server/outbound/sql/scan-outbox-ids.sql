-- The outbox ids after $1 (at most $2 of them), seen in one snapshot together with that
-- snapshot's xmin and xmax, for the gap-safe high-water mark (watermark.ts).
SELECT pg_snapshot_xmin(s)::text AS xmin,
       pg_snapshot_xmax(s)::text AS xmax,
       ARRAY(SELECT id FROM clue_outbox WHERE id > $1 ORDER BY id LIMIT $2)::text[] AS ids
FROM pg_current_snapshot() AS s
