-- Live and spatial (issue 10): what nearby, hotspots and the map feed read.
--
--   h3_r9   the clue position's H3 cell at resolution 9 (~0.1 km²), as the 64-bit index (h3-js
--           latLngToCell, hex → bigint). Computed in Node when the pipeline writes the clue: the
--           embedded PostGIS has no H3. Coarser cells come from it in SQL by bit arithmetic (an
--           H3 parent keeps the leading digits; server/spatial/sql/hotspots.sql), so one column
--           serves resolutions 0–9. NULL for rows written before this migration until the
--           one-off backfill (`npx tsx server/spatial/backfill-h3-cli.ts`) fills them.
ALTER TABLE clues ADD COLUMN h3_r9 bigint;
CREATE INDEX clues_h3_r9 ON clues (h3_r9);

-- Nearby orders by true distance: KNN (`<->`) on geography, so metres and not degrees decide the
-- order (a degree of longitude is 0.87 of a degree of latitude here). clues_position (001) stays
-- for bbox filters.
CREATE INDEX clues_position_geog ON clues USING gist ((position::geography));

-- Hotspots read alerts (the timeline's 'opened' and 'alert' entries) by time through the b-tree
-- clue_timeline_at that migration 070 made for the daily digests.
