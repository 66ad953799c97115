-- A unit's tasks (任务单) and their counts in one statement, so the two always agree (two queries
-- on two connections could count a clue that the list, read a moment later, no longer held).
-- Open clues whose primary unit is $4, in the user's scope ($1-$3, scopeSqlParams, the rule of
-- canSeePlace), with optional filters (NULL = any): $5 final statuses (left out); $6 statuses;
-- $7 item code; $8 device kind; $9 limit; $10 offset.
-- Every row carries `status_counts`, the open tasks per status under every filter but the status
-- filter ($6) and the page; when the page is empty there is one row, all of whose clue columns are
-- NULL, so the counts still arrive.
WITH open AS (
  SELECT r.*
    FROM clue_rows AS r
   WHERE ($1::boolean
          OR r.district_code = ANY ($2::text[]) OR r.town_code = ANY ($2::text[])
          OR r.community_code = ANY ($2::text[]) OR r.grid_code = ANY ($2::text[])
          OR ($3::text IS NOT NULL AND ($3 = r.primary_unit_id OR $3 = ANY (r.co_notified) OR $3 = ANY (r.board_unit_ids))))
     AND r.primary_unit_id = $4
     AND NOT (r.status = ANY ($5::text[]))
     AND ($7::text IS NULL OR r.item_code = $7)
     AND ($8::text IS NULL OR r.device_kind = $8)
), counts AS (
  SELECT coalesce(json_object_agg(s.status, s.n), '{}'::json) AS status_counts
    FROM (SELECT status, count(*)::int AS n FROM open GROUP BY status) AS s
)
SELECT page.*, counts.status_counts
  FROM counts
  LEFT JOIN LATERAL (
    SELECT o.*
      FROM open AS o
     WHERE ($6::text[] IS NULL OR o.status = ANY ($6::text[]))
     ORDER BY o.opened_at DESC, o.id DESC
     LIMIT $9 OFFSET $10
  ) AS page ON true
 ORDER BY page.opened_at DESC, page.id DESC
