-- Per-import scratch table: features land here, get checked and repaired, then are copied
-- into the layer's table. Dropped at the end of the import's transaction, whatever happens.
CREATE TEMP TABLE geo_staging (
  ord            integer NOT NULL,
  code           text NOT NULL,
  name           text NOT NULL,
  parent_code    text,
  attrs          jsonb NOT NULL,
  zone_type      text,
  buffer_m       double precision,
  src            geometry NOT NULL,
  geom           geometry(MultiPolygon, 4326),
  pos            geometry(Point, 4326),
  reason         text,
  spatial_parent text,
  declared_known boolean,
  rejected       boolean NOT NULL DEFAULT false
) ON COMMIT DROP;
-- Created now, while empty: an index built later in this transaction, after the repair's
-- updates, could not be used until commit (PostgreSQL's indcheckxmin rule for HOT chains).
CREATE INDEX geo_staging_geom ON geo_staging USING gist (geom);
