-- map-clusters.sql from the counts kept at write time (migration 118, clue_map_squares), for
-- zooms whose squares are whole fine squares of the rollup (clue_map_square). A clue is in fine
-- square (ix, iy) = (clue_map_square(x), clue_map_square(y)), the triggers' own; floor of the
-- same division is monotone, so every clue in the bbox has ix in [floor(x1/f), floor(x2/f)]
-- = [ix0 - 1, ix1 + 1] (iy alike) and every clue in [ix0, ix1] × [iy0, iy1] is in the bbox.
-- Those inner squares come from the rollup; the ring of squares around them, which the bbox
-- edges cut, from the raw rows by index-only scans of clues_map_square: its two columns, and
-- its two rows square by square (within the columns the rollup holds). Each clue in the bbox
-- is counted once.
-- $1-$2 whole city and scope codes (no unit scope); $3-$6 bbox; $7 fine squares per cluster
-- square's side (2^k); $8 statuses (NULL: all).
WITH b AS (
  SELECT clue_map_square($3::float8) + 1 AS ix0, clue_map_square($5::float8) - 1 AS ix1,
         clue_map_square($4::float8) + 1 AS iy0, clue_map_square($6::float8) - 1 AS iy1,
         (SELECT min(s.ix) FROM clue_map_squares AS s WHERE s.any_place) AS ix_min,
         (SELECT max(s.ix) FROM clue_map_squares AS s WHERE s.any_place) AS ix_max
), ring AS (
  SELECT c.position, c.severity
    FROM b, clues AS c
   WHERE clue_map_square(ST_X(c.position)) = ANY (ARRAY[b.ix0 - 1, b.ix1 + 1])
     AND clue_map_square(ST_Y(c.position)) BETWEEN b.iy0 - 1 AND b.iy1 + 1
     AND c.position && ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326)
     AND ($1::boolean
          OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
          OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[]))
     AND ($8::text[] IS NULL OR c.status = ANY ($8::text[]))
  UNION ALL
  SELECT c.position, c.severity
    FROM b, clues AS c
   WHERE clue_map_square(ST_X(c.position)) = ANY (ARRAY(SELECT generate_series(greatest(b.ix0, b.ix_min), least(b.ix1, b.ix_max))))
     AND clue_map_square(ST_Y(c.position)) = ANY (ARRAY[b.iy0 - 1, b.iy1 + 1])
     AND c.position && ST_MakeEnvelope($3::float8, $4::float8, $5::float8, $6::float8, 4326)
     AND ($1::boolean
          OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
          OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[]))
     AND ($8::text[] IS NULL OR c.status = ANY ($8::text[]))
), parts AS (
  SELECT s.ix, s.iy, s.severity, s.n, s.sum_lon, s.sum_lat
    FROM clue_map_squares AS s, b
   WHERE s.any_place = $1::boolean
     AND ($1::boolean
          OR s.district_code = ANY ($2::text[]) OR s.town_code = ANY ($2::text[])
          OR s.community_code = ANY ($2::text[]) OR s.grid_code = ANY ($2::text[]))
     AND s.ix BETWEEN b.ix0 AND b.ix1 AND s.iy BETWEEN b.iy0 AND b.iy1
     AND ($8::text[] IS NULL OR s.status = ANY ($8::text[]))
  UNION ALL
  SELECT clue_map_square(ST_X(r.position)), clue_map_square(ST_Y(r.position)), r.severity, 1, ST_X(r.position), ST_Y(r.position)
    FROM ring AS r
)
SELECT sum(p.sum_lon) / sum(p.n)::float8 AS lon, sum(p.sum_lat) / sum(p.n)::float8 AS lat, sum(p.n)::int AS count,
       coalesce(sum(p.n) FILTER (WHERE p.severity = 'info'), 0)::int AS info,
       coalesce(sum(p.n) FILTER (WHERE p.severity = 'low'), 0)::int AS low,
       coalesce(sum(p.n) FILTER (WHERE p.severity = 'medium'), 0)::int AS medium,
       coalesce(sum(p.n) FILTER (WHERE p.severity = 'high'), 0)::int AS high,
       coalesce(sum(p.n) FILTER (WHERE p.severity = 'critical'), 0)::int AS critical
  FROM parts AS p
 GROUP BY floor(p.ix / $7::float8), floor(p.iy / $7::float8)
HAVING sum(p.n) > 0
 ORDER BY sum(p.n) DESC
