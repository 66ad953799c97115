-- Empties what the spatial bench fills (its own database; never the service's).
TRUNCATE clue_timeline, clue_outbox, clues RESTART IDENTITY CASCADE
