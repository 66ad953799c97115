-- The clue layer's bulk feed, built here as columns: one row whatever the number of clues.
-- $1-$3 the user's scope (policy scopeSqlParams, as in list-clues.sql); $4-$7 bbox (min lon, min
-- lat, max lon, max lat; NULL: all); $8 statuses (NULL: all); $9 the status list and $10 the
-- severity list, whose positions (from 0) are the codes sent.
-- lon/lat: float4 big-endian (float4send) per clue; packed: int4 big-endian, status index << 8 |
-- severity index; items and codes: text, one line per clue. seq: the newest
-- clue_outbox id visible to this statement's snapshot, so a client applies the WebSocket's clue
-- events after it (ids are bigserial: a transaction still open may commit a lower id later; the
-- live hub's re-scan window covers it).
-- The columns line up because one aggregation feeds every one of them the same rows in the same
-- order; they come in id order, the order of the subquery (a scan of the primary key). No
-- aggregate has an ORDER BY of its own: before PostgreSQL 16 each such aggregate sorts its input
-- alone, five sorts of every clue (at 1,000,000 clues each spills to disk).
SELECT (SELECT coalesce(max(id), 0) FROM clue_outbox)::text AS seq,
       count(*)::int AS count,
       coalesce(string_agg(float4send(ST_X(c.position)::float4), ''::bytea), ''::bytea) AS lon,
       coalesce(string_agg(float4send(ST_Y(c.position)::float4), ''::bytea), ''::bytea) AS lat,
       coalesce(string_agg(int4send(((array_position($9::text[], c.status) - 1) << 8) | (array_position($10::text[], c.severity) - 1)), ''::bytea),
                ''::bytea) AS packed,
       coalesce(string_agg(coalesce(c.item_code, ''), E'\n'), '') AS items,
       coalesce(string_agg(c.code, E'\n'), '') AS codes
  FROM (SELECT c.position, c.status, c.severity, c.item_code, c.code
          FROM clues AS c
         WHERE ($1::boolean
                OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
                OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[])
                OR ($3::text IS NOT NULL AND ($3 = c.primary_unit_id OR $3 = ANY (c.co_notified) OR $3 = ANY (c.board_unit_ids))))
           AND ($4::float8 IS NULL OR c.position && ST_MakeEnvelope($4::float8, $5::float8, $6::float8, $7::float8, 4326))
           AND ($8::text[] IS NULL OR c.status = ANY ($8::text[]))
         ORDER BY c.id) AS c
