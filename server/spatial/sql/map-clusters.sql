-- The clue layer zoomed out: clues counted per square of a grid in degrees (about 64 screen
-- pixels at the zoom asked), each square at the mean position of its clues, with counts per
-- severity. Plain arithmetic on coordinates, so both backends answer alike.
-- $1-$3 the user's scope (policy scopeSqlParams, as in list-clues.sql); $4-$7 bbox; $8 the
-- square's side in degrees; $9 statuses (NULL: all).
SELECT avg(ST_X(c.position)) AS lon, avg(ST_Y(c.position)) AS lat, count(*)::int AS count,
       count(*) FILTER (WHERE c.severity = 'info')::int AS info,
       count(*) FILTER (WHERE c.severity = 'low')::int AS low,
       count(*) FILTER (WHERE c.severity = 'medium')::int AS medium,
       count(*) FILTER (WHERE c.severity = 'high')::int AS high,
       count(*) FILTER (WHERE c.severity = 'critical')::int AS critical
  FROM clues AS c
 WHERE ($1::boolean
        OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
        OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[])
        OR ($3::text IS NOT NULL AND ($3 = c.primary_unit_id OR $3 = ANY (c.co_notified) OR $3 = ANY (c.board_unit_ids))))
   AND c.position && ST_MakeEnvelope($4::float8, $5::float8, $6::float8, $7::float8, 4326)
   AND ($9::text[] IS NULL OR c.status = ANY ($9::text[]))
 GROUP BY floor(ST_X(c.position) / $8::float8), floor(ST_Y(c.position) / $8::float8)
 ORDER BY count(*) DESC
