-- One clue by code ($1), locked for the action's transaction (the pipeline locks the same rows).
SELECT * FROM clue_rows WHERE code = $1 FOR UPDATE
