-- Listed calendar days from $1 to $2 (local dates, inclusive), oldest first.
SELECT to_char(day, 'YYYY-MM-DD') AS date, kind, name
  FROM work_calendar
 WHERE day BETWEEN $1::date AND $2::date
 ORDER BY day
