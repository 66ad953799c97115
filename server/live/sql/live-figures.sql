-- The header figures for one scope ($1-$3 as scopeSqlParams, the rule of canSeePlace): clues
-- opened today (Asia/Shanghai), open clues past their deadline, and of the clues closed today
-- how many closed by their deadline.
WITH visible AS (
  SELECT c.id, c.status, c.opened_at, c.deadline_at
    FROM clues c
   WHERE ($1::boolean
          OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
          OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[])
          OR ($3::text IS NOT NULL AND ($3 = c.primary_unit_id OR $3 = ANY (c.co_notified) OR $3 = ANY (c.board_unit_ids))))
), today AS (
  SELECT (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai') AS start
), closed_today AS (
  SELECT v.id, bool_or(t.at <= v.deadline_at) AS on_time
    FROM visible v JOIN clue_timeline t ON t.clue_id = v.id, today
   WHERE t.to_status = 'closed' AND t.at >= today.start
   GROUP BY v.id
)
SELECT (SELECT count(*) FROM visible, today WHERE opened_at >= today.start)::int AS clues_today,
       (SELECT count(*) FROM visible WHERE status NOT IN ('closed', 'escalated', 'merged') AND deadline_at < now())::int AS overdue,
       (SELECT count(*) FROM closed_today)::int AS closed_today,
       (SELECT count(*) FROM closed_today WHERE on_time)::int AS closed_on_time
