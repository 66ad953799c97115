-- When the record begins: the earliest timeline row's time (NULL while there is none).
SELECT min(at) AS first FROM clue_timeline
