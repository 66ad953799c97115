CREATE INDEX bench_cells_geom ON bench_cells USING gist (geom)
