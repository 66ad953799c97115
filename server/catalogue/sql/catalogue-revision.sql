-- What the in-memory catalogue was built from: latest version and last unit change. Polled
-- so a replica picks up an import another replica made.
SELECT (SELECT max(version) FROM catalogue_versions) AS version,
       (SELECT max(updated_at) FROM units) AS units_at,
       (SELECT count(*) FROM units)::int AS unit_count
