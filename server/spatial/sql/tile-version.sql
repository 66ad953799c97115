-- The active geo imports, one `layer:id` per layer: the version a tile index is built from. It
-- changes when any layer's import is activated, so caches keyed by it drop on every replica.
SELECT coalesce(string_agg(layer || ':' || id, ',' ORDER BY layer), '') AS version
  FROM geo_imports
 WHERE active
