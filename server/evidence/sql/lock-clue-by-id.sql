-- One clue by id ($1), locked for the attachment's transaction.
SELECT * FROM clue_rows WHERE id = $1 FOR UPDATE
