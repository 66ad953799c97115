-- Hotspot counts kept at write time (issue 10): GET /api/v1/hotspots aggregated the raw rows per
-- query, 6 to 42 s over 10M alert events. Two rollups hold the same counts the raw query
-- (server/spatial/sql/hotspots.sql) makes, per Asia/Shanghai local day:
--   kind 'clues'   one per clue, on the day it opened (clues.opened_at);
--   kind 'alerts'  one per 'opened' or 'alert' timeline entry, on the day it was recorded;
-- both placed at the clue's CURRENT item, jurisdiction codes and H3 cell, as the raw query joins
-- them. Each count is kept twice: per item (any_item false, item_code the clue's, NULL for a
-- clue with no item) and for all items together (any_item true, item_code NULL), so a query
-- for every item reads a fraction of the rows.
--   hotspot_area_counts  per day × item × the clue's four jurisdiction codes: serves the levels
--                        grid, community and town for the whole city and any code scope;
--   hotspot_h3_counts    per day × item × H3 cell at each resolution 0–9 (parents of h3_r9):
--                        serves level h3 for the whole city (it holds no codes).
-- Unit scopes (primary unit, co-notified, board) and H3 under a code scope are answered from the
-- raw rows (server/spatial/hotspots.ts), as are the partial first and last day of a period.
--
-- The counts move in the writing transaction, by statement-level triggers with transition
-- tables: a clue inserted, a timeline entry appended, a clue whose item, codes, H3 cell or
-- opening time changes (re-route to another item, the H3 backfill of old clues: its events move
-- from the old place to the new), a clue deleted, a table truncated. Upserts add
-- (n = n + EXCLUDED.n) in key order, so two replicas writing at once add both their counts and
-- lock rows in the same order. A timeline append reads its clue's place without locking it: every
-- writer locks the clue first (server/clues/sql/lock-chain-heads.sql, lock-clue.sql), so no
-- place change can commit between the read and the append.

CREATE TABLE hotspot_area_counts (
  kind           text NOT NULL,
  any_item       boolean NOT NULL,
  item_code      text,
  day            date NOT NULL,
  district_code  text,
  town_code      text,
  community_code text,
  grid_code      text,
  n              bigint NOT NULL,
  CONSTRAINT hotspot_area_counts_key UNIQUE NULLS NOT DISTINCT (kind, any_item, item_code, day, district_code, town_code, community_code, grid_code)
);

CREATE TABLE hotspot_h3_counts (
  kind      text NOT NULL,
  res       smallint NOT NULL,
  any_item  boolean NOT NULL,
  item_code text,
  day       date NOT NULL,
  cell      bigint NOT NULL,
  n         bigint NOT NULL,
  CONSTRAINT hotspot_h3_counts_key UNIQUE NULLS NOT DISTINCT (kind, res, any_item, item_code, day, cell)
);

-- One change to the counts: n events of `kind` on local `day` at a clue's place.
CREATE TYPE hotspot_delta AS (
  kind text, day date, item_code text, district_code text, town_code text, community_code text, grid_code text, h3_r9 bigint, n bigint
);

-- The H3 parent of a resolution-9 cell at resolution r, as in server/spatial/sql/hotspots.sql
-- (h3-js cellToParent): resolution field set to r, the digits after r set to 7.
CREATE FUNCTION hotspot_h3_parent(cell bigint, r int) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT (cell & ~(15::bigint << 52)) | (r::bigint << 52) | ((1::bigint << (3 * (15 - r))) - 1)
$$;

-- Adds the deltas to both rollups (per item and for all items; H3 at every resolution).
CREATE FUNCTION hotspot_add(ds hotspot_delta[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO hotspot_area_counts AS h (kind, any_item, item_code, day, district_code, town_code, community_code, grid_code, n)
  SELECT d.kind, a.any_item, CASE WHEN a.any_item THEN NULL ELSE d.item_code END, d.day,
         d.district_code, d.town_code, d.community_code, d.grid_code, sum(d.n)
    FROM unnest(ds) AS d CROSS JOIN (VALUES (true), (false)) AS a(any_item)
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
  HAVING sum(d.n) <> 0
   ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (kind, any_item, item_code, day, district_code, town_code, community_code, grid_code) DO UPDATE SET n = h.n + EXCLUDED.n;
  INSERT INTO hotspot_h3_counts AS h (kind, res, any_item, item_code, day, cell, n)
  SELECT d.kind, r.res, a.any_item, CASE WHEN a.any_item THEN NULL ELSE d.item_code END, d.day, hotspot_h3_parent(d.h3_r9, r.res), sum(d.n)
    FROM unnest(ds) AS d CROSS JOIN (VALUES (true), (false)) AS a(any_item) CROSS JOIN generate_series(0, 9) AS r(res)
   WHERE d.h3_r9 IS NOT NULL
   GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(d.n) <> 0
   ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (kind, res, any_item, item_code, day, cell) DO UPDATE SET n = h.n + EXCLUDED.n;
$$;

-- The local day of an instant.
CREATE FUNCTION hotspot_day(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT (at AT TIME ZONE 'Asia/Shanghai')::date
$$;

-- n events of `kind` on `day` at clue c's place.
CREATE FUNCTION hotspot_clue_delta(c clues, kind text, day date, n bigint) RETURNS hotspot_delta LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(kind, day, c.item_code, c.district_code, c.town_code, c.community_code, c.grid_code, c.h3_r9, n)::hotspot_delta
$$;

-- A clue inserted counts once on its opening day; a clue deleted leaves (one with timeline
-- entries cannot go: foreign key).
CREATE FUNCTION hotspot_clues_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM hotspot_add(ARRAY(SELECT hotspot_clue_delta(c, 'clues', hotspot_day(c.opened_at), 1) FROM new_clues AS c));
  ELSE
    PERFORM hotspot_add(ARRAY(SELECT hotspot_clue_delta(c, 'clues', hotspot_day(c.opened_at), -1) FROM old_clues AS c));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER clues_hotspot_insert AFTER INSERT ON clues REFERENCING NEW TABLE AS new_clues
  FOR EACH STATEMENT EXECUTE FUNCTION hotspot_clues_counted();
CREATE TRIGGER clues_hotspot_delete AFTER DELETE ON clues REFERENCING OLD TABLE AS old_clues
  FOR EACH STATEMENT EXECUTE FUNCTION hotspot_clues_counted();

-- An 'opened' or 'alert' entry counts at its clue's place on the day it was recorded.
CREATE FUNCTION hotspot_timeline_appended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hotspot_add(ARRAY(
    SELECT hotspot_clue_delta(c, 'alerts', e.day, e.n)
      FROM (SELECT t.clue_id, hotspot_day(t.at) AS day, count(*) AS n
              FROM new_entries AS t
             WHERE t.action IN ('opened', 'alert')
             GROUP BY 1, 2) AS e
      JOIN clues AS c ON c.id = e.clue_id));
  RETURN NULL;
END $$;
CREATE TRIGGER clue_timeline_hotspot_insert AFTER INSERT ON clue_timeline REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION hotspot_timeline_appended();

-- A clue whose place changed takes its own count and its alerts along: minus at the old place,
-- plus at the new one.
CREATE FUNCTION hotspot_clues_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM hotspot_add(ARRAY(
    WITH moved AS (
      SELECT o.id, v.c, v.sign
        FROM old_clues AS o JOIN new_clues AS c ON c.id = o.id
       CROSS JOIN LATERAL (VALUES (o::clues, -1), (c::clues, 1)) AS v(c, sign)
       WHERE (o.opened_at, o.item_code, o.district_code, o.town_code, o.community_code, o.grid_code, o.h3_r9)
             IS DISTINCT FROM (c.opened_at, c.item_code, c.district_code, c.town_code, c.community_code, c.grid_code, c.h3_r9)
    )
    SELECT hotspot_clue_delta(m.c, 'clues', hotspot_day((m.c).opened_at), m.sign) FROM moved AS m
    UNION ALL
    SELECT hotspot_clue_delta(m.c, 'alerts', e.day, m.sign * e.n)
      FROM moved AS m
      JOIN LATERAL (SELECT hotspot_day(t.at) AS day, count(*) AS n
                      FROM clue_timeline AS t
                     WHERE t.clue_id = m.id AND t.action IN ('opened', 'alert')
                     GROUP BY 1) AS e ON true));
  RETURN NULL;
END $$;
CREATE TRIGGER clues_hotspot_update AFTER UPDATE ON clues REFERENCING OLD TABLE AS old_clues NEW TABLE AS new_clues
  FOR EACH STATEMENT EXECUTE FUNCTION hotspot_clues_moved();

-- TRUNCATE fires no row triggers: the counts of what it emptied go with it.
CREATE FUNCTION hotspot_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'clues' THEN
    DELETE FROM hotspot_area_counts;
    DELETE FROM hotspot_h3_counts;
  ELSE
    DELETE FROM hotspot_area_counts WHERE kind = 'alerts';
    DELETE FROM hotspot_h3_counts WHERE kind = 'alerts';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER clues_hotspot_truncate AFTER TRUNCATE ON clues FOR EACH STATEMENT EXECUTE FUNCTION hotspot_truncated();
CREATE TRIGGER clue_timeline_hotspot_truncate AFTER TRUNCATE ON clue_timeline FOR EACH STATEMENT EXECUTE FUNCTION hotspot_truncated();

-- Fills the rollups from what is stored, one local day at a time (a day's rows fit in one array):
-- the migration's backfill, and the bench's after a bulk load with the triggers disabled.
CREATE FUNCTION hotspot_rebuild() RETURNS void LANGUAGE plpgsql AS $$
DECLARE d date;
BEGIN
  TRUNCATE hotspot_area_counts, hotspot_h3_counts;
  FOR d IN SELECT DISTINCT hotspot_day(opened_at) FROM clues ORDER BY 1 LOOP
    PERFORM hotspot_add(ARRAY(
      SELECT hotspot_clue_delta(c, 'clues', d, 1)
        FROM clues AS c
       WHERE c.opened_at >= d::timestamp AT TIME ZONE 'Asia/Shanghai' AND c.opened_at < (d + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'));
  END LOOP;
  FOR d IN SELECT generate_series(hotspot_day(min(at)), hotspot_day(max(at)), interval '1 day')::date FROM clue_timeline LOOP
    PERFORM hotspot_add(ARRAY(
      SELECT hotspot_clue_delta(c, 'alerts', d, e.n)
        FROM (SELECT t.clue_id, count(*) AS n
                FROM clue_timeline AS t
               WHERE t.action IN ('opened', 'alert')
                 AND t.at >= d::timestamp AT TIME ZONE 'Asia/Shanghai' AND t.at < (d + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'
               GROUP BY 1) AS e
        JOIN clues AS c ON c.id = e.clue_id));
  END LOOP;
END $$;

SELECT hotspot_rebuild();
