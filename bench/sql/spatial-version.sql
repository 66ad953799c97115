-- The server's PostgreSQL and PostGIS versions, for the report.
SELECT split_part(version(), ' ', 2) || ', PostGIS ' || postgis_lib_version() AS v
