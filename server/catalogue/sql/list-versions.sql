-- Every catalogue version, oldest first: the history the service compiles.
SELECT version, data FROM catalogue_versions ORDER BY version
