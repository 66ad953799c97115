-- Seals a day ($1 day, $2 previous digest, $3 digest, $4 clue count, $5 row count, $6 heads as
-- jsonb [[code, seq, hash], ...]); a day already sealed (by another replica) stays as it is.
INSERT INTO timeline_digests (day, prev_digest, digest, clue_count, row_count, heads)
VALUES ($1::date, $2, $3, $4, $5, $6::jsonb)
ON CONFLICT (day) DO NOTHING
