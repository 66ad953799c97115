-- The clue layer's bulk feed: clues grouped by status, severity and item, each group's columns
-- built here, so the per-clue work in SQL is two coordinates and a code, and the status,
-- severity and item are looked up once per group in Node (server/spatial/clue-feed-codec.ts).
-- Whole city, the groups come from an index-only scan of clues_map (migration 117) in its order.
-- $1-$3 the user's scope (policy scopeSqlParams, as in list-clues.sql); $4-$7 bbox (min lon, min
-- lat, max lon, max lat; NULL: all); $8 statuses (NULL: all).
-- lon/lat: float4 big-endian (float4send) per clue; codes: text, one line per clue, the same
-- order (each aggregate reads the group's rows in the one order the scan gives them).
-- seq: the newest clue_outbox id visible to this statement's snapshot, so a client applies the
-- WebSocket's clue events after it (ids are bigserial: a transaction still open may commit a lower
-- id later; the live hub's re-scan window covers it). One row with NULL groups when no clue matches,
-- so the seq always comes back.
SELECT s.seq, g.status, g.severity, g.item, g.n, g.lon, g.lat, g.codes
  FROM (SELECT coalesce(max(id), 0)::text AS seq FROM clue_outbox) AS s
  LEFT JOIN (SELECT c.status, c.severity, coalesce(c.item_code, '') AS item, count(*)::int AS n,
                    string_agg(float4send(ST_X(c.position)::float4), ''::bytea) AS lon,
                    string_agg(float4send(ST_Y(c.position)::float4), ''::bytea) AS lat,
                    string_agg(c.code, E'\n') AS codes
               FROM clues AS c
              WHERE ($1::boolean
                     OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
                     OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[])
                     OR ($3::text IS NOT NULL AND ($3 = c.primary_unit_id OR $3 = ANY (c.co_notified) OR $3 = ANY (c.board_unit_ids))))
                AND ($4::float8 IS NULL OR c.position && ST_MakeEnvelope($4::float8, $5::float8, $6::float8, $7::float8, 4326))
                AND ($8::text[] IS NULL OR c.status = ANY ($8::text[]))
              GROUP BY c.status, c.severity, c.item_code) AS g ON true
