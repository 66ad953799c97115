-- What the bench database holds: clues, clues with an H3 cell, alert entries.
SELECT (SELECT count(*) FROM clues)::int AS clues, (SELECT count(*) FROM clues WHERE h3_r9 IS NOT NULL)::int AS h3,
       (SELECT count(*) FROM clue_timeline WHERE action IN ('opened', 'alert'))::int AS alerts
