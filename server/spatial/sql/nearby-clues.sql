-- The clues nearest a point that the user may see, nearest first, within a radius.
-- $1-$3 the user's scope (policy scopeSqlParams, the rule of canSeePlace, as in list-clues.sql);
-- $4 lon; $5 lat (WGS84); $6 radius in metres; $7 limit.
-- The walk is nearby_clue_ids (migration 111: one ordered GiST scan per scope code and level,
-- bounded by the radius's box). Rows come nearest first, so the exact radius test on its rows
-- keeps a prefix. distance_m is on the spheroid, bearing_deg (ST_Azimuth, clockwise from north,
-- 0–360; NULL at the same spot) from the point.
SELECT * FROM (
  SELECT r.*,
         ST_Distance(c.position::geography, ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography) AS distance_m,
         degrees(ST_Azimuth(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, c.position::geography)) AS bearing_deg
    FROM nearby_clue_ids($1::boolean, $2::text[], $3::text, $4::float8, $5::float8, $6::float8, $7::integer) AS n
    JOIN clues AS c ON c.id = n.clue_id
    JOIN clue_rows AS r ON r.id = n.clue_id
) AS near
WHERE distance_m <= $6::float8
ORDER BY distance_m, id
