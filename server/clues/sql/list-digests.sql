-- Sealed days from $1 to $2 (dates, inclusive) and the day before $1 (whose digest the first
-- one chains from), oldest first.
SELECT day::text AS day, prev_digest, digest, clue_count, row_count, heads, created_at
  FROM timeline_digests
 WHERE day BETWEEN $1::date - 1 AND $2::date
 ORDER BY day
