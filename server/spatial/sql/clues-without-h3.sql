-- A batch of clues written before their H3 cell was stored (migration 090), for the backfill.
-- $1 batch size.
SELECT id, ST_X(position) AS lon, ST_Y(position) AS lat FROM clues WHERE h3_r9 IS NULL ORDER BY id LIMIT $1
