-- The spatial bench's own database, so its million clues never land in another one.
CREATE DATABASE gw_spatial_bench
