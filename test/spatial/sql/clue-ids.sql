-- The ids of the clues with codes $1.
SELECT id::int AS id, code FROM clues WHERE code = ANY ($1::text[])
