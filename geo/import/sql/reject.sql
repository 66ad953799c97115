-- $1: staging positions of features to drop.
UPDATE geo_staging SET rejected = true WHERE ord = ANY($1::integer[])
