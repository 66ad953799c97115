-- Whether the spatial bench's own database exists ($1 its name).
SELECT 1 FROM pg_database WHERE datname = $1
