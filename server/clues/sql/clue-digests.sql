-- The sealed days whose heads name clue $1 (code), with what they sealed of it, oldest first.
SELECT d.day::text AS day, d.prev_digest, d.digest, d.heads, h.value AS head
  FROM timeline_digests AS d CROSS JOIN LATERAL jsonb_array_elements(d.heads) AS h(value)
 WHERE h.value ->> 0 = $1
 ORDER BY d.day
