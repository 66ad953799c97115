-- One page of the clues a user may see, newest first, with optional filters (NULL = any), and the
-- number of clues matching the filters (without the cursor), counted when $20 is true (the list
-- asks for it; an export walking page after page does not). One row per clue, each with `total`;
-- a page past the end is one row with `total` and every clue column NULL.
-- $1-$3 the user's scope as the policy module's scopeSqlParams gives it, the rule of canSeePlace:
-- $1 whole city (the user has no jurisdiction limit); $2 the user's scope codes (district, town,
-- community or grid); $3 the user's unit (sees the clues it is assigned, told about or shows on
-- its board); $4 statuses; $5 item codes; $6 jurisdiction code (district, town, community or grid);
-- $7 unit id; $8-$11 bbox (min lon, min lat, max lon, max lat); $12 review; $13 device kind;
-- $14-$15 opened at or after / before; $16 overdue; $17 search text (code or plate);
-- $18-$19 the cursor (opened_at, in microseconds since 1970 so that it is exact, and id of the
-- last clue of the previous page); $20 count;
-- $21 page size; $22 clue codes.
-- Overdue: not final (closed, escalated, merged) and past its close-by time, which is the clue's
-- close_due_at once the deadline scheduler planned it (migration 060), its deadline_at before.
WITH matched AS NOT MATERIALIZED (
  SELECT r.*, c.updated_at
    FROM clue_rows AS r
    JOIN clues AS c USING (id)
   WHERE ($1::boolean
          OR r.district_code = ANY ($2::text[]) OR r.town_code = ANY ($2::text[])
          OR r.community_code = ANY ($2::text[]) OR r.grid_code = ANY ($2::text[])
          OR ($3::text IS NOT NULL AND ($3 = r.primary_unit_id OR $3 = ANY (r.co_notified) OR $3 = ANY (r.board_unit_ids))))
     AND ($4::text[] IS NULL OR r.status = ANY ($4::text[]))
     AND ($5::text[] IS NULL OR r.item_code = ANY ($5::text[]))
     AND ($6::text IS NULL OR $6 IN (r.district_code, r.town_code, r.community_code, r.grid_code))
     AND ($7::text IS NULL OR r.primary_unit_id = $7 OR $7 = ANY (r.co_notified) OR $7 = ANY (r.board_unit_ids))
     AND ($8::float8 IS NULL OR c.position && ST_MakeEnvelope($8::float8, $9::float8, $10::float8, $11::float8, 4326))
     AND ($12::boolean IS NULL OR r.review = $12)
     AND ($13::text IS NULL OR r.device_kind = $13)
     AND ($14::timestamptz IS NULL OR r.opened_at >= $14)
     AND ($15::timestamptz IS NULL OR r.opened_at < $15)
     AND ($16::boolean IS NULL OR $16 = (r.status NOT IN ('closed', 'escalated', 'merged')
                                         AND COALESCE(r.close_due_at, r.deadline_at) < now()))
     AND ($17::text IS NULL OR strpos(lower(r.code), lower($17)) > 0 OR strpos(lower(r.details ->> 'plate'), lower($17)) > 0)
     AND ($22::text[] IS NULL OR r.code = ANY ($22::text[]))
)
SELECT t.total, p.*
  FROM (SELECT count(*)::int AS total FROM matched WHERE $20::boolean) AS t
  LEFT JOIN LATERAL (
    SELECT m.*, (extract(epoch FROM m.opened_at) * 1000000)::bigint AS opened_us
      FROM matched AS m
     WHERE $18::bigint IS NULL OR (m.opened_at, m.id) < ('epoch'::timestamptz + $18::bigint * interval '1 microsecond', $19::bigint)
     ORDER BY m.opened_at DESC, m.id DESC
     LIMIT $21
  ) AS p ON true
