-- Counts per area and per local time bucket from the rollups of migration 116, over whole local
-- days [$7, $8) (dates): the same rows as hotspots.sql over that period, for the whole city or a
-- scope of jurisdiction codes (level h3: the whole city only; server/spatial/hotspots.ts sends
-- the rest to hotspots.sql).
-- $1, $2 the user's scope (whole city, codes; policy scopeSqlParams); $3 level 'grid',
-- 'community', 'town' or 'h3'; $4 H3 resolution 0–9; $5 item code (NULL: any); $6 bucket 'day'
-- or 'week'; $7 first day, $8 day after the last; $9 'clues' or 'alerts'.
WITH counted AS (
  SELECT CASE $3::text WHEN 'grid' THEN a.grid_code WHEN 'community' THEN a.community_code ELSE a.town_code END AS area, a.day, a.n
    FROM hotspot_area_counts AS a
   WHERE $3::text <> 'h3' AND a.kind = $9::text AND a.any_item = ($5::text IS NULL) AND ($5::text IS NULL OR a.item_code = $5::text)
     AND a.day >= $7::date AND a.day < $8::date
     AND ($1::boolean
          OR a.district_code = ANY ($2::text[]) OR a.town_code = ANY ($2::text[])
          OR a.community_code = ANY ($2::text[]) OR a.grid_code = ANY ($2::text[]))
  UNION ALL
  SELECT h.cell::text, h.day, h.n
    FROM hotspot_h3_counts AS h
   WHERE $3::text = 'h3' AND $1::boolean AND h.kind = $9::text AND h.res = $4::int
     AND h.any_item = ($5::text IS NULL) AND ($5::text IS NULL OR h.item_code = $5::text)
     AND h.day >= $7::date AND h.day < $8::date
)
SELECT area, to_char(date_trunc($6::text, day::timestamp), 'YYYY-MM-DD') AS bucket, sum(n)::int AS count
  FROM counted
 WHERE area IS NOT NULL
 GROUP BY 1, 2
HAVING sum(n) <> 0
