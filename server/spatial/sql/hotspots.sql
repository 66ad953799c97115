-- Counts per area and per local time bucket (Asia/Shanghai), aggregated here, over clues (by when
-- they opened) or over alerts (the timeline's 'opened' and 'alert' entries, by when they were
-- recorded, placed at their clue).
-- $1-$3 the user's scope (policy scopeSqlParams, as in list-clues.sql); $4 level: 'grid',
-- 'community', 'town' or 'h3'; $5 H3 resolution 0–9 (level h3); $6 item code (NULL: any);
-- $7 from, $8 to (timestamptz, [from, to)); $9 bucket 'day' or 'week' (weeks start on Monday);
-- $10 what is counted: 'clues' or 'alerts'.
-- The H3 parent of a resolution-9 cell at resolution r: the resolution field (bits 52–55) set to
-- r and the digits after r (3 bits each, 15 − r of them) set to 7, as h3-js cellToParent does.
-- Rows with no area (no grid cell, or an H3 cell not yet backfilled) are left out.
WITH events AS (
  SELECT c.opened_at AS at, c.id
    FROM clues AS c
   WHERE $10::text = 'clues' AND c.opened_at >= $7::timestamptz AND c.opened_at < $8::timestamptz
  UNION ALL
  SELECT t.at, t.clue_id
    FROM clue_timeline AS t
   WHERE $10::text = 'alerts' AND t.action IN ('opened', 'alert') AND t.at >= $7::timestamptz AND t.at < $8::timestamptz
), placed AS (
  SELECT CASE $4::text
           WHEN 'grid' THEN c.grid_code
           WHEN 'community' THEN c.community_code
           WHEN 'town' THEN c.town_code
           ELSE ((c.h3_r9 & ~(15::bigint << 52)) | ($5::bigint << 52) | ((1::bigint << (3 * (15 - $5::int))) - 1))::text
         END AS area,
         date_trunc($9::text, e.at AT TIME ZONE 'Asia/Shanghai') AS bucket
    FROM events AS e
    JOIN clues AS c ON c.id = e.id
   WHERE ($6::text IS NULL OR c.item_code = $6::text)
     AND ($1::boolean
          OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
          OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[])
          OR ($3::text IS NOT NULL AND ($3 = c.primary_unit_id OR $3 = ANY (c.co_notified) OR $3 = ANY (c.board_unit_ids))))
)
SELECT area, to_char(bucket, 'YYYY-MM-DD') AS bucket, count(*)::int AS count
  FROM placed
 WHERE area IS NOT NULL
 GROUP BY area, bucket
 ORDER BY area, bucket
