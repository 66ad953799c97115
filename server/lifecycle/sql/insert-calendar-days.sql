-- Lists days ($1: jsonb array of {date, kind, name}); a day already listed is kept.
INSERT INTO work_calendar (day, kind, name)
SELECT d.date::date, d.kind, d.name
  FROM jsonb_to_recordset($1::jsonb) AS d(date text, kind text, name text)
ON CONFLICT (day) DO NOTHING
