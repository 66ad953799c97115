-- Claims the years the seed brings ($1 years, $2 day counts) that are not listed yet; returns
-- the years claimed. A year an administrator imported, or another replica seeded, is kept.
INSERT INTO work_calendar_years (year, source, day_count)
SELECT y.year, 'chinese-days', y.day_count
  FROM unnest($1::integer[], $2::integer[]) AS y(year, day_count)
ON CONFLICT (year) DO NOTHING
RETURNING year
