-- A unit's open tasks counted per status, under the same scope and filters as list-tasks.sql
-- except the status filter ($1-$3 scope, $4 unit, $5 final statuses, $6 item code, $7 device kind).
SELECT r.status, count(*)::int AS n
  FROM clue_rows AS r
 WHERE ($1::boolean
        OR r.district_code = ANY ($2::text[]) OR r.town_code = ANY ($2::text[])
        OR r.community_code = ANY ($2::text[]) OR r.grid_code = ANY ($2::text[])
        OR ($3::text IS NOT NULL AND ($3 = r.primary_unit_id OR $3 = ANY (r.co_notified) OR $3 = ANY (r.board_unit_ids))))
   AND r.primary_unit_id = $4
   AND NOT (r.status = ANY ($5::text[]))
   AND ($6::text IS NULL OR r.item_code = $6)
   AND ($7::text IS NULL OR r.device_kind = $7)
 GROUP BY r.status
