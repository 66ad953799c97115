-- Gridwatch initial schema. PostGIS is the system of record; later stages extend it
-- through new numbered migrations (geo 010-019, ingest 020-029, rules/routing/clues 030-039).
CREATE EXTENSION IF NOT EXISTS postgis;

-- One row per import of one geo layer. Exactly one import per layer is active; the locator
-- reads the active ones and switches atomically when a new import commits.
CREATE TABLE geo_imports (
  id            bigserial PRIMARY KEY,
  layer         text NOT NULL CHECK (layer IN ('districts', 'towns', 'communities', 'grids', 'zones')),
  source        text NOT NULL,
  feature_count integer NOT NULL DEFAULT 0,
  report        jsonb NOT NULL DEFAULT '{}'::jsonb,
  active        boolean NOT NULL DEFAULT false,
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX geo_imports_one_active ON geo_imports (layer) WHERE active;

-- 区/县 → 镇/街道 → 社区/村, linked by parent code within the active imports.
CREATE TABLE jurisdictions (
  id          bigserial PRIMARY KEY,
  import_id   bigint NOT NULL REFERENCES geo_imports (id) ON DELETE CASCADE,
  level       text NOT NULL CHECK (level IN ('district', 'town', 'community')),
  code        text NOT NULL,
  name        text NOT NULL,
  parent_code text,
  attrs       jsonb NOT NULL DEFAULT '{}'::jsonb,
  geom        geometry(MultiPolygon, 4326) NOT NULL,
  UNIQUE (import_id, code)
);
CREATE INDEX jurisdictions_geom ON jurisdictions USING gist (geom);
CREATE INDEX jurisdictions_level_code ON jurisdictions (level, code);
CREATE INDEX jurisdictions_parent ON jurisdictions (parent_code);

-- 网格: the smallest management unit.
CREATE TABLE grid_cells (
  id             bigserial PRIMARY KEY,
  import_id      bigint NOT NULL REFERENCES geo_imports (id) ON DELETE CASCADE,
  code           text NOT NULL,
  name           text NOT NULL,
  community_code text NOT NULL,
  attrs          jsonb NOT NULL DEFAULT '{}'::jsonb,
  geom           geometry(MultiPolygon, 4326) NOT NULL,
  UNIQUE (import_id, code)
);
CREATE INDEX grid_cells_geom ON grid_cells USING gist (geom);
CREATE INDEX grid_cells_community ON grid_cells (community_code);

-- No-parking areas, disposal sites, route corridors, restricted zones, bridges.
CREATE TABLE zones (
  id        bigserial PRIMARY KEY,
  import_id bigint NOT NULL REFERENCES geo_imports (id) ON DELETE CASCADE,
  code      text NOT NULL,
  type      text NOT NULL CHECK (type IN ('no-parking', 'disposal-site', 'route-corridor', 'restricted', 'bridge')),
  name      text NOT NULL,
  attrs     jsonb NOT NULL DEFAULT '{}'::jsonb,
  geom      geometry(MultiPolygon, 4326) NOT NULL,
  UNIQUE (import_id, code)
);
CREATE INDEX zones_geom ON zones USING gist (geom);
CREATE INDEX zones_type ON zones (type);

-- Responsible units: town teams (综合行政执法队), district departments, hubs (1+X),
-- co-ordination offices, asset custodians, utilities, traffic police.
CREATE TABLE units (
  id            text PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('town-team', 'district-department', 'hub', 'coordination-office', 'custodian', 'utility', 'traffic-police', 'duty-desk')),
  name          text NOT NULL,
  name_en       text,
  district_code text,
  town_code     text,
  department    text,
  hub_unit_id   text REFERENCES units (id),
  attrs         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX units_town ON units (town_code);
CREATE INDEX units_district ON units (district_code);

-- Devices authenticate with their id and a token; only the token's hash is stored.
CREATE TABLE devices (
  id             text PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('waste-truck', 'gas-sensor', 'bridge-sensor', 'parking-camera')),
  token_hash     text NOT NULL,
  home_unit_id   text REFERENCES units (id),
  metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
  disabled       boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  token_rotated_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz,
  last_position  geometry(Point, 4326)
);

-- Telemetry. (device_id, event_id) is the idempotency key; time-ordered inserts make BRIN cheap.
CREATE TABLE device_events (
  id          bigserial PRIMARY KEY,
  device_id   text NOT NULL,
  event_id    text NOT NULL,
  kind        text NOT NULL,
  ts          timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  transport   text NOT NULL,
  position    geometry(Point, 4326) NOT NULL,
  accuracy_m  real,
  flags       text[] NOT NULL DEFAULT '{}',
  payload     jsonb NOT NULL,
  UNIQUE (device_id, event_id)
);
CREATE INDEX device_events_ts ON device_events USING brin (ts);
CREATE INDEX device_events_device_ts ON device_events (device_id, ts);

-- Input that could not become an event, kept verbatim with the reason.
CREATE TABLE dead_letters (
  id          bigserial PRIMARY KEY,
  transport   text NOT NULL,
  code        text NOT NULL,
  reason      text NOT NULL,
  raw         text NOT NULL,
  device_id   text,
  topic       text,
  received_at timestamptz NOT NULL DEFAULT now(),
  replayed_at timestamptz,
  replay_result text
);
CREATE INDEX dead_letters_received ON dead_letters (received_at DESC);
CREATE INDEX dead_letters_device ON dead_letters (device_id);

-- 线索: one per problem at one place or asset, routed to the responsible unit.
CREATE TABLE clues (
  id                 bigserial PRIMARY KEY,
  code               text NOT NULL UNIQUE,
  item_code          text NOT NULL,
  status             text NOT NULL DEFAULT 'new',
  severity           text NOT NULL,
  primary_unit_id    text NOT NULL,
  co_notified        text[] NOT NULL DEFAULT '{}',
  grid_code          text,
  community_code     text,
  town_code          text,
  district_code      text,
  asset_key          text NOT NULL,
  position           geometry(Point, 4326) NOT NULL,
  needs_confirmation boolean NOT NULL DEFAULT false,
  reasons            jsonb NOT NULL DEFAULT '[]'::jsonb,
  catalogue_version  integer,
  alert_count        integer NOT NULL DEFAULT 1,
  first_seen_at      timestamptz NOT NULL,
  last_seen_at       timestamptz NOT NULL,
  deadline_at        timestamptz NOT NULL,
  details            jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clues_position ON clues USING gist (position);
CREATE INDEX clues_open ON clues (item_code, asset_key) WHERE status NOT IN ('closed', 'merged');
CREATE INDEX clues_unit ON clues (primary_unit_id, status);
CREATE INDEX clues_town ON clues (town_code, status);

-- Full-process record (执法全过程记录): append-only, never updated or deleted.
CREATE TABLE clue_timeline (
  id          bigserial PRIMARY KEY,
  clue_id     bigint NOT NULL REFERENCES clues (id),
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  from_status text,
  to_status   text,
  source      text,
  detail      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX clue_timeline_clue ON clue_timeline (clue_id, at);

CREATE FUNCTION forbid_timeline_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'clue_timeline is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER clue_timeline_append_only BEFORE UPDATE OR DELETE ON clue_timeline
  FOR EACH ROW EXECUTE FUNCTION forbid_timeline_change();

-- People. Roles: admin, operator, worker, officer, planner. Scopes are jurisdiction codes
-- (district or town); an empty scope list on an admin means the whole city.
CREATE TABLE users (
  id            bigserial PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'operator', 'worker', 'officer', 'planner')),
  scopes        text[] NOT NULL DEFAULT '{}',
  unit_id       text REFERENCES units (id),
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens for people: random, stored as SHA-256, revocable, expiring.
CREATE TABLE user_tokens (
  token_hash text PRIMARY KEY,
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX user_tokens_user ON user_tokens (user_id);
