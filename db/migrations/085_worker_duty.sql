-- Grid workers on duty and where their phones are (issue 10, docs/DESIGN.md §6). A worker opts
-- in by going on duty with a radius; while on duty the phone reports its position (throttled).
-- Positions are kept for the duty period plus a retention setting, then purged (server/live).
--
--   worker_duty       one row per worker: on duty or not, the alert radius, when the current
--                     (or last) duty period began and when it ended
--   worker_positions  the reported fixes, each with the phone's time (at) and ours (received_at)
CREATE TABLE worker_duty (
  user_id  bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  on_duty  boolean NOT NULL,
  radius_m integer NOT NULL CHECK (radius_m BETWEEN 10 AND 50000),
  since    timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz
);

CREATE TABLE worker_positions (
  id          bigserial PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  position    geometry(Point, 4326) NOT NULL,
  accuracy_m  real,
  at          timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX worker_positions_user_at ON worker_positions (user_id, at DESC);
