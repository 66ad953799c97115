-- Batched lookup: one round trip for many points, same tie rule.
SELECT p.i, c.code
  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, i)
  LEFT JOIN LATERAL (
        SELECT code FROM bench_cells
         WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326))
         ORDER BY code COLLATE "C" LIMIT 1
       ) c ON true
