-- $1 layer. Returns the import that was active, if any.
UPDATE geo_imports SET active = false WHERE layer = $1 AND active RETURNING id
