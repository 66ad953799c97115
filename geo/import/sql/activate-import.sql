-- $1 import id.
UPDATE geo_imports SET active = true WHERE id = $1
