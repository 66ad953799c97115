-- Every clue as the cluster oracle groups it: coordinates, severity, status, town.
SELECT ST_X(position) AS lon, ST_Y(position) AS lat, severity, status, town_code AS town FROM clues
