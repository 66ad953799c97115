-- A unit's tasks (任务单): open clues whose primary unit is $4, newest first, with optional
-- filters (NULL = any). $1-$3 the user's scope (scopeSqlParams, the rule of canSeePlace); $4 the
-- user's unit; $5 final statuses (left out); $6 statuses; $7 item code; $8 device kind; $9 limit;
-- $10 offset.
SELECT r.*
  FROM clue_rows AS r
 WHERE ($1::boolean
        OR r.district_code = ANY ($2::text[]) OR r.town_code = ANY ($2::text[])
        OR r.community_code = ANY ($2::text[]) OR r.grid_code = ANY ($2::text[])
        OR ($3::text IS NOT NULL AND ($3 = r.primary_unit_id OR $3 = ANY (r.co_notified) OR $3 = ANY (r.board_unit_ids))))
   AND r.primary_unit_id = $4
   AND NOT (r.status = ANY ($5::text[]))
   AND ($6::text[] IS NULL OR r.status = ANY ($6::text[]))
   AND ($7::text IS NULL OR r.item_code = $7)
   AND ($8::text IS NULL OR r.device_kind = $8)
 ORDER BY r.opened_at DESC, r.id DESC
 LIMIT $9 OFFSET $10
