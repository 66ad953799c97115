-- Per-point lookup, the same tie rule as the locator: lowest code (C order) among covering cells.
SELECT code FROM bench_cells
 WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
 ORDER BY code COLLATE "C" LIMIT 1
