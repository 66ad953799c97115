-- Empties the bench's alert events (and what hangs off them), keeping its clues.
TRUNCATE clue_timeline RESTART IDENTITY CASCADE
