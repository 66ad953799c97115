-- The latest sealed day and its digest.
SELECT day::text AS day, digest FROM timeline_digests ORDER BY day DESC LIMIT 1
