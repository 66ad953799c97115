-- Each clue's last timeline row in a local day ($1 start, $2 end of the day, [start, end)), with
-- how many rows the clue has in the day: what the day's digest seals.
SELECT DISTINCT ON (t.clue_id) c.code, t.seq, t.hash, (count(*) OVER (PARTITION BY t.clue_id))::integer AS day_rows
  FROM clue_timeline AS t JOIN clues AS c ON c.id = t.clue_id
 WHERE t.at >= $1 AND t.at < $2
 ORDER BY t.clue_id, t.seq DESC
