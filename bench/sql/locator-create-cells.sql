-- A session-private copy of the grid cells for the locator benchmark (never touches the real tables).
CREATE TEMP TABLE bench_cells (code text NOT NULL, geom geometry(MultiPolygon, 4326) NOT NULL)
