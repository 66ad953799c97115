-- Scoped nearby (issue 10), the walk itself: the ids of the $7 clues nearest ($4 lon, $5 lat)
-- within the box of $6 metres that a scope ($1-$3, policy scopeSqlParams, the rule of
-- canSeePlace) may see, with their `<->` distance (metres on the sphere), nearest first.
-- Each branch is one ordered scan of an index that leads with its scope column (migration 110),
-- one per scope code and level, taking its $7 nearest; the nearest $7 of their union are the
-- nearest $7 in scope. The whole city is one scan of clues_position_geog, alone. The point is spelt out
-- in every branch because a KNN index scan needs it as a value, not a column of another relation.
-- The box (`&&` _ST_Expand) is the one ST_DWithin itself uses; ST_DWithin in the WHERE would make
-- the planner expect a handful of rows and sort a bitmap scan's thousands instead.
-- A PL/pgSQL function because its plan is prepared once per connection: planning these seven
-- branches over the clues' indexes took longer than running them (EXPLAIN ANALYZE at 1,000,000
-- clues: 1.5–12 ms planning against ~1 ms execution), and the service sends unnamed statements,
-- planned at every call. ROWS tells the caller's planner it returns a page, not a table.
CREATE FUNCTION nearby_clue_ids(boolean, text[], text, float8, float8, float8, integer)
  RETURNS TABLE (clue_id bigint, knn_m float8) LANGUAGE plpgsql STABLE ROWS 20 AS $fn$
BEGIN
  IF $1 THEN
    RETURN QUERY
      SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
        FROM clues AS c
       WHERE c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
       ORDER BY knn
       LIMIT $7;
    RETURN;
  END IF;
  RETURN QUERY
    WITH candidates AS (
      SELECT k.*
        FROM unnest($2::text[]) AS s(code)
       CROSS JOIN LATERAL (
         SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
           FROM clues AS c
          WHERE c.district_code = s.code
            AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
          ORDER BY knn
          LIMIT $7) AS k
      UNION ALL
      SELECT k.*
        FROM unnest($2::text[]) AS s(code)
       CROSS JOIN LATERAL (
         SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
           FROM clues AS c
          WHERE c.town_code = s.code
            AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
          ORDER BY knn
          LIMIT $7) AS k
      UNION ALL
      SELECT k.*
        FROM unnest($2::text[]) AS s(code)
       CROSS JOIN LATERAL (
         SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
           FROM clues AS c
          WHERE c.community_code = s.code
            AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
          ORDER BY knn
          LIMIT $7) AS k
      UNION ALL
      SELECT k.*
        FROM unnest($2::text[]) AS s(code)
       CROSS JOIN LATERAL (
         SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
           FROM clues AS c
          WHERE c.grid_code = s.code
            AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
          ORDER BY knn
          LIMIT $7) AS k
      UNION ALL
      (SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
         FROM clues AS c
        WHERE $3::text IS NOT NULL AND c.primary_unit_id = $3::text
          AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
        ORDER BY knn
        LIMIT $7)
      UNION ALL
      (SELECT c.id, c.position::geography <-> ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography AS knn
         FROM clues AS c
        WHERE $3::text IS NOT NULL
          AND (c.co_notified @> ARRAY[$3::text] OR c.board_unit_ids @> ARRAY[$3::text])
          AND c.position::geography && _ST_Expand(ST_SetSRID(ST_MakePoint($4::float8, $5::float8), 4326)::geography, $6::float8)
        ORDER BY knn
        LIMIT $7)
    )
    -- A clue in scope twice (its district and its town, or its place and its unit) counts once.
    SELECT DISTINCT cd.id, cd.knn FROM candidates AS cd ORDER BY cd.knn, cd.id LIMIT $7;
END
$fn$;
