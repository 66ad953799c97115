ANALYZE clues; ANALYZE clue_timeline
