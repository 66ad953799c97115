-- Applies the alerts a batch joined to open clues (count, last seen, severity, summary, and the
-- details of the alert that last raised the severity) in one statement ($1: jsonb array of {id,
-- alert_count, last_seen (ms), severity, summary, details}).
UPDATE clues
   SET alert_count = u.alert_count, last_seen_at = to_timestamp(u.last_seen / 1000), severity = u.severity,
       summary = u.summary, details = u.details, updated_at = now()
  FROM jsonb_to_recordset($1::jsonb) AS u(id bigint, alert_count integer, last_seen float8, severity text, summary jsonb, details jsonb)
 WHERE clues.id = u.id
