-- The map's clue layer (issue 10): one index that holds every column the binary feed
-- (server/spatial/sql/map-feed.sql) and the clusters (map-clusters.sql) read, so both answer a
-- whole-city request by an index-only scan of this index (81 MB at 1,000,000 clues) instead of
-- reading the whole table (411 MB, most of it JSON the map never shows). Led by status, severity
-- and item, the feed's groups: the feed aggregates per group in index order (no sort, no hash
-- table) and a status filter (open clues) reads only its part of the index. Status is already in
-- other indexes, so a status change was never a HOT update; this adds one index entry per update.
CREATE INDEX clues_map ON clues (status, severity, item_code) INCLUDE (position, code);
