-- The head of a clue's timeline chain ($1: clue id).
SELECT timeline_seq, timeline_hash FROM clues WHERE id = $1
