-- One clue by code ($1).
SELECT * FROM clue_rows WHERE code = $1
