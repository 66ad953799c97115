-- The clues nearest a point that the user may see, nearest first, within a radius.
-- $1-$3 the user's scope (policy scopeSqlParams, the rule of canSeePlace, as in list-clues.sql);
-- $4 lon; $5 lat (WGS84); $6 radius in metres; $7 limit.
-- KNN on geography (`<->`, metres on the sphere), bounded by the radius's box (`&&` _ST_Expand,
-- the box ST_DWithin itself uses). ST_DWithin in the same WHERE would make the planner expect a
-- handful of rows and sort a bitmap scan's thousands instead (bench/spatial.bench.ts).
-- The scope is not a filter on one city-wide walk (that walk reads every other town's clues
-- before it has $7 of this one's): each branch is one ordered scan of an index that leads with
-- the scope column (migration 110), a branch per scope code and level, each taking its $7
-- nearest; the nearest $7 of their union are the nearest $7 in scope. The point is spelt out in
-- every branch because a KNN index scan needs it as a constant, not a column of another relation.
-- Rows come nearest first, so the exact radius test on the LIMIT's rows keeps a prefix.
-- distance_m is on the spheroid, bearing_deg (ST_Azimuth, clockwise from north, 0–360; NULL at
-- the same spot) from the point.
WITH candidates AS (
  (SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
     FROM clues AS c
    WHERE $1::boolean
      AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
    ORDER BY knn
    LIMIT $7)
  UNION ALL
  SELECT k.*
    FROM unnest($2::text[]) AS s(code)
   CROSS JOIN LATERAL (
     SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
       FROM clues AS c
      WHERE NOT $1::boolean AND c.district_code = s.code
        AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
      ORDER BY knn
      LIMIT $7) AS k
  UNION ALL
  SELECT k.*
    FROM unnest($2::text[]) AS s(code)
   CROSS JOIN LATERAL (
     SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
       FROM clues AS c
      WHERE NOT $1::boolean AND c.town_code = s.code
        AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
      ORDER BY knn
      LIMIT $7) AS k
  UNION ALL
  SELECT k.*
    FROM unnest($2::text[]) AS s(code)
   CROSS JOIN LATERAL (
     SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
       FROM clues AS c
      WHERE NOT $1::boolean AND c.community_code = s.code
        AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
      ORDER BY knn
      LIMIT $7) AS k
  UNION ALL
  SELECT k.*
    FROM unnest($2::text[]) AS s(code)
   CROSS JOIN LATERAL (
     SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
       FROM clues AS c
      WHERE NOT $1::boolean AND c.grid_code = s.code
        AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
      ORDER BY knn
      LIMIT $7) AS k
  UNION ALL
  (SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
     FROM clues AS c
    WHERE NOT $1::boolean AND $3::text IS NOT NULL AND c.primary_unit_id = $3::text
      AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
    ORDER BY knn
    LIMIT $7)
  UNION ALL
  (SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
     FROM clues AS c
    WHERE NOT $1::boolean AND $3::text IS NOT NULL
      AND (c.co_notified @> ARRAY[$3::text] OR c.board_unit_ids @> ARRAY[$3::text])
      AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
    ORDER BY knn
    LIMIT $7)
), nearest AS (
  -- A clue in scope twice (its district and its town, or its place and its unit) counts once.
  SELECT DISTINCT id, knn FROM candidates ORDER BY knn, id LIMIT $7
)
SELECT * FROM (
  SELECT r.*,
         ST_Distance(c.position::geography, ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography) AS distance_m,
         degrees(ST_Azimuth(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, c.position::geography)) AS bearing_deg
    FROM nearest AS n
    JOIN clues AS c USING (id)
    JOIN clue_rows AS r USING (id)
) AS near
WHERE distance_m <= $6::float8
ORDER BY distance_m, id
