-- Removes the listed days of year $1 (before an import replaces them).
DELETE FROM work_calendar WHERE day >= make_date($1::integer, 1, 1) AND day < make_date($1::integer + 1, 1, 1)
