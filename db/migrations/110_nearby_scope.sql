-- Scoped nearby (issue 10): one KNN walk per scope code instead of one walk over the whole city
-- that drops the other towns' clues as it goes (server/spatial/sql/nearby-clues.sql). Each index
-- leads with a scope column (btree_gist gives text its GiST operator class), so an equality on
-- the code and the `<->` order on the position are answered by one ordered index scan that only
-- visits that area's clues. One index per level, because a user's scope code may be a district,
-- a town, a community or a grid cell (policy `inScope`), and GiST prunes well only on a leading
-- column whose values it groups. btree_gist ships with PostgreSQL's contrib and with PGlite
-- (loaded in db/embedded.ts).
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE INDEX clues_district_geog ON clues USING gist (district_code, (position::geography));
CREATE INDEX clues_town_geog ON clues USING gist (town_code, (position::geography));
CREATE INDEX clues_community_geog ON clues USING gist (community_code, (position::geography));
CREATE INDEX clues_grid_geog ON clues USING gist (grid_code, (position::geography));
CREATE INDEX clues_unit_geog ON clues USING gist (primary_unit_id, (position::geography));

-- A unit's clues (the unit clause of canSeePlace): its own by KNN on the index above, those it is
-- co-notified on or shows on its board through these, by containment, then sorted (few per unit).
CREATE INDEX clues_co_notified ON clues USING gin (co_notified);
CREATE INDEX clues_board_units ON clues USING gin (board_unit_ids);
