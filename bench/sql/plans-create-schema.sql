-- The plans bench's own schema in DATABASE_URL's database (dropped first, so every run starts
-- empty); its pool puts it first on the search_path, so the service's SQL lands there.
DROP SCHEMA IF EXISTS gw_plans_bench CASCADE;
CREATE SCHEMA gw_plans_bench
