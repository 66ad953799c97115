-- The map bench's own database on DATABASE_URL's server, named $1 (that database's name + _map):
-- the statements that empty it, for a fresh demo city and fresh demo logins each run.
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', $1::text) AS drop, format('CREATE DATABASE %I', $1::text) AS create
