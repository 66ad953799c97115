-- Map clusters kept at write time (issue 10): GET /api/v1/map/clusters grouped every clue in the
-- bbox per query, 1.1-1.8 s for the whole city at 1,000,000 clues (half of it the index-only
-- scan of clues_map alone). This rollup holds per fine square of the cluster grid (the squares of
-- zoom 13: 90/8192 = 0.010986328125° a side, an exact binary fraction, as clusterCellDeg(13) in
-- server/spatial/spatial-queries.ts) × status × severity: how many clues, and the sums of their
-- longitudes and latitudes. A cluster square at zoom z <= 13 is exactly 2^(13-z) × 2^(13-z) fine
-- squares (floor(x / (f·2^k)) = floor(floor(x / f) / 2^k)), so server/spatial/sql/
-- map-clusters-rollup.sql sums fine squares inside the bbox and groups only the clues in the
-- fine squares the bbox edges cut from the raw rows, read by an index-only scan of
-- clues_map_square (a clue's fine square, and what the query needs of the clue).
-- Each count is kept twice, as 116 keeps items: for the whole city (any_place true, codes NULL:
-- the few rows an admin's query reads) and per the clue's four jurisdiction codes (any_place
-- false: a code scope filters them). Unit scopes are answered from the raw rows.
--
-- The counts move in the writing transaction, by statement-level triggers with transition
-- tables: a clue inserted, deleted, or updated in position, status, severity or codes (minus
-- under the old key, plus under the new), a table truncated. Upserts add in key order, so two
-- replicas writing at once add both their counts and lock rows in the same order. Sums of
-- coordinates are float8: a cluster's mean may differ from avg() over the rows in the last bits.

CREATE TABLE clue_map_squares (
  any_place      boolean NOT NULL,
  ix             int NOT NULL,
  iy             int NOT NULL,
  status         text NOT NULL,
  severity       text NOT NULL,
  district_code  text,
  town_code      text,
  community_code text,
  grid_code      text,
  n              bigint NOT NULL,
  sum_lon        float8 NOT NULL,
  sum_lat        float8 NOT NULL,
  CONSTRAINT clue_map_squares_key UNIQUE NULLS NOT DISTINCT (any_place, ix, iy, status, severity, district_code, town_code, community_code, grid_code)
);

-- The fine square a coordinate is in, along one axis. The query and the index below use this
-- function so the planner matches the index's expression.
CREATE FUNCTION clue_map_square(v float8) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT floor(v / 0.010986328125::float8)::int
$$;

CREATE INDEX clues_map_square ON clues (clue_map_square(ST_X(position)), clue_map_square(ST_Y(position)))
  INCLUDE (position, status, severity, district_code, town_code, community_code, grid_code);

-- One clue counted (n = 1) or uncounted (n = -1) at its place.
CREATE TYPE clue_map_delta AS (
  lon float8, lat float8, status text, severity text, district_code text, town_code text, community_code text, grid_code text, n int
);

-- The delta of clue c.
CREATE FUNCTION clue_map_delta_of(c clues, n int) RETURNS clue_map_delta LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(ST_X(c.position), ST_Y(c.position), c.status, c.severity, c.district_code, c.town_code, c.community_code, c.grid_code, n)::clue_map_delta
$$;

-- Adds the deltas to both halves of the rollup. A move within one fine square nets n = 0 but
-- changes the sums, so only all-zero groups are skipped.
CREATE FUNCTION clue_map_add(ds clue_map_delta[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO clue_map_squares AS s (any_place, ix, iy, status, severity, district_code, town_code, community_code, grid_code, n, sum_lon, sum_lat)
  SELECT a.any_place, clue_map_square(d.lon), clue_map_square(d.lat), d.status, d.severity,
         CASE WHEN a.any_place THEN NULL ELSE d.district_code END, CASE WHEN a.any_place THEN NULL ELSE d.town_code END,
         CASE WHEN a.any_place THEN NULL ELSE d.community_code END, CASE WHEN a.any_place THEN NULL ELSE d.grid_code END,
         sum(d.n), sum(d.n * d.lon), sum(d.n * d.lat)
    FROM unnest(ds) AS d CROSS JOIN (VALUES (true), (false)) AS a(any_place)
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  HAVING sum(d.n) <> 0 OR sum(d.n * d.lon) <> 0 OR sum(d.n * d.lat) <> 0
   ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ON CONFLICT (any_place, ix, iy, status, severity, district_code, town_code, community_code, grid_code)
  DO UPDATE SET n = s.n + EXCLUDED.n, sum_lon = s.sum_lon + EXCLUDED.sum_lon, sum_lat = s.sum_lat + EXCLUDED.sum_lat;
$$;

CREATE FUNCTION clue_map_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM clue_map_add(ARRAY(SELECT clue_map_delta_of(c, 1) FROM new_clues AS c));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM clue_map_add(ARRAY(SELECT clue_map_delta_of(c, -1) FROM old_clues AS c));
  ELSE
    PERFORM clue_map_add(ARRAY(
      SELECT clue_map_delta_of(v.c, v.n)
        FROM old_clues AS o JOIN new_clues AS c ON c.id = o.id
       CROSS JOIN LATERAL (VALUES (o::clues, -1), (c::clues, 1)) AS v(c, n)
       WHERE (ST_X(o.position), ST_Y(o.position), o.status, o.severity, o.district_code, o.town_code, o.community_code, o.grid_code)
             IS DISTINCT FROM (ST_X(c.position), ST_Y(c.position), c.status, c.severity, c.district_code, c.town_code, c.community_code, c.grid_code)));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER clues_map_squares_insert AFTER INSERT ON clues REFERENCING NEW TABLE AS new_clues
  FOR EACH STATEMENT EXECUTE FUNCTION clue_map_counted();
CREATE TRIGGER clues_map_squares_delete AFTER DELETE ON clues REFERENCING OLD TABLE AS old_clues
  FOR EACH STATEMENT EXECUTE FUNCTION clue_map_counted();
CREATE TRIGGER clues_map_squares_update AFTER UPDATE ON clues REFERENCING OLD TABLE AS old_clues NEW TABLE AS new_clues
  FOR EACH STATEMENT EXECUTE FUNCTION clue_map_counted();

-- TRUNCATE fires no row triggers: the counts go with the clues.
CREATE FUNCTION clue_map_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM clue_map_squares;
  RETURN NULL;
END $$;
CREATE TRIGGER clues_map_squares_truncate AFTER TRUNCATE ON clues FOR EACH STATEMENT EXECUTE FUNCTION clue_map_truncated();

-- Fills the rollup from what is stored: the migration's backfill, and the bench's after a bulk
-- load with the triggers disabled.
CREATE FUNCTION clue_map_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE clue_map_squares;
  PERFORM clue_map_add(ARRAY(SELECT clue_map_delta_of(c, 1) FROM clues AS c));
END $$;

SELECT clue_map_rebuild();
