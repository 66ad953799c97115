-- What the binary feed should hold, per clue (the feed keys them by code).
SELECT code, ST_X(position) AS lon, ST_Y(position) AS lat, status, severity, coalesce(item_code, '') AS item, town_code
  FROM clues ORDER BY id
