-- Clues a user may see, newest first, with optional filters (NULL = any).
-- $1-$3 the user's scope as the policy module's scopeSqlParams gives it, the rule of canSeePlace:
-- $1 whole city (the user has no jurisdiction limit); $2 the user's scope codes (district, town,
-- community or grid); $3 the user's unit (sees the clues it is assigned, told about or shows on
-- its board); $4 statuses; $5 item code; $6 town code; $7 unit id; $8-$11 bbox (min lon, min lat,
-- max lon, max lat); $12 review; $13 limit; $14 offset.
SELECT r.*
  FROM clue_rows AS r
  JOIN clues AS c USING (id)
 WHERE ($1::boolean
        OR r.district_code = ANY ($2::text[]) OR r.town_code = ANY ($2::text[])
        OR r.community_code = ANY ($2::text[]) OR r.grid_code = ANY ($2::text[])
        OR ($3::text IS NOT NULL AND ($3 = r.primary_unit_id OR $3 = ANY (r.co_notified) OR $3 = ANY (r.board_unit_ids))))
   AND ($4::text[] IS NULL OR r.status = ANY ($4::text[]))
   AND ($5::text IS NULL OR r.item_code = $5)
   AND ($6::text IS NULL OR r.town_code = $6)
   AND ($7::text IS NULL OR r.primary_unit_id = $7 OR $7 = ANY (r.co_notified) OR $7 = ANY (r.board_unit_ids))
   AND ($8::float8 IS NULL OR c.position && ST_MakeEnvelope($8::float8, $9::float8, $10::float8, $11::float8, 4326))
   AND ($12::boolean IS NULL OR r.review = $12)
 ORDER BY r.opened_at DESC, r.id DESC
 LIMIT $13 OFFSET $14
