-- Records an administrator's import of year $1: source $2, $3 days, by $4.
INSERT INTO work_calendar_years (year, source, day_count, imported_by, imported_at)
VALUES ($1, $2, $3, $4, now())
ON CONFLICT (year) DO UPDATE
   SET source = excluded.source, day_count = excluded.day_count, imported_by = excluded.imported_by, imported_at = excluded.imported_at
