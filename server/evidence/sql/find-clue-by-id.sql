-- One clue by id ($1), read to make a queued camera image's watermark before locking anything.
SELECT * FROM clue_rows WHERE id = $1
