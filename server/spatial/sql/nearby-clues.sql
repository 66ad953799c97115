-- The clues nearest a point that the user may see, nearest first, within a radius.
-- $1-$3 the user's scope (policy scopeSqlParams, the rule of canSeePlace, as in list-clues.sql);
-- $4 lon; $5 lat (WGS84); $6 radius in metres; $7 limit.
-- KNN on geography: an ordered scan of the clues_position_geog GiST index (migration 090) by
-- `<->` (metres on the sphere), bounded by the radius's box (`&&` _ST_Expand, the box ST_DWithin
-- itself uses). ST_DWithin in the same WHERE would make the planner expect a handful of rows and
-- sort a bitmap scan's thousands instead (bench/spatial.bench.ts). Rows come nearest first, so
-- the exact radius test on the LIMIT's rows keeps a prefix. distance_m is on the spheroid,
-- bearing_deg (ST_Azimuth, clockwise from north, 0–360; NULL at the same spot) from the point.
SELECT * FROM (
  SELECT r.*,
         ST_Distance(c.position::geography, ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography) AS distance_m,
         degrees(ST_Azimuth(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, c.position::geography)) AS bearing_deg
    FROM clues AS c
    JOIN clue_rows AS r USING (id)
   WHERE c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
     AND ($1::boolean
          OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
          OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[])
          OR ($3::text IS NOT NULL AND ($3 = c.primary_unit_id OR $3 = ANY (c.co_notified) OR $3 = ANY (c.board_unit_ids))))
   ORDER BY c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography
   LIMIT $7
) AS near
WHERE distance_m <= $6::float8
ORDER BY distance_m, id
