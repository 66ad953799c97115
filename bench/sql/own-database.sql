-- A bench's own database on DATABASE_URL's server, named $1 (that database's name + a suffix):
-- the statements that drop it and create it again, so every run starts from an empty one.
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', $1::text) AS drop, format('CREATE DATABASE %I', $1::text) AS create
