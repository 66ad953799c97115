ANALYZE clues
