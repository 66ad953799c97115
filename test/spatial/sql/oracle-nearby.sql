-- The oracle for nearby: every clue within $3 metres of ($1, $2), by spheroid distance, no KNN.
SELECT code, ST_Distance(position::geography, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography) AS d
  FROM clues
 WHERE ST_Distance(position::geography, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326)::geography) <= $3::float8
 ORDER BY d
