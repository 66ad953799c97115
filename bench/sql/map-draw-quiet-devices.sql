-- Of the device ids $1 (in that order), those with no open clue of their own (asset_key is the
-- device for a gas sensor's alerts): a new alarm of one of them opens a new clue.
SELECT id
  FROM unnest($1::text[]) WITH ORDINALITY AS d (id, n)
 WHERE NOT EXISTS (SELECT 1 FROM clues c WHERE c.asset_key = d.id AND c.status NOT IN ('closed', 'escalated', 'merged'))
 ORDER BY n
