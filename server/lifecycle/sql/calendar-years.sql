-- Every listed year: where it came from, how many days, who imported it and when.
SELECT year, source, day_count, imported_by, imported_at
  FROM work_calendar_years
 ORDER BY year
