-- Removes the plans bench's schema and its million events when the bench ends.
DROP SCHEMA IF EXISTS gw_plans_bench CASCADE
