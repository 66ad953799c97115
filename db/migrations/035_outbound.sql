-- Outbound clue events (issue 5): webhook registrations and the delivery state of each
-- target that reads `clue_outbox` (033).
--
-- Every target (the MQTT broker, the Kafka topic, each webhook) keeps its own cursor into the
-- outbox, so a slow or failing webhook holds back only itself. A replica works a target only
-- while it holds the target's lease (claimed with one short UPDATE … FOR UPDATE SKIP LOCKED,
-- never held across a delivery), and writes progress only while the lease is still its own.

-- Webhooks registered by administrators.
--   secret     HMAC-SHA256 key for X-Gridwatch-Signature. Kept in clear because signing needs
--              it; the API shows it once, when the webhook is created, and never again.
--   unit_ids   deliver only events that name one of these units; null = every event
CREATE TABLE webhooks (
  id          uuid PRIMARY KEY,
  url         text NOT NULL,
  secret      text NOT NULL,
  unit_ids    text[],
  description text,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per target: 'mqtt', 'kafka' or 'webhook:<id>'.
--   last_id          the last outbox id this target is done with (delivered, filtered out, or
--                    given up on after the maximum attempts)
--   attempts         failed attempts at the event after last_id, for back-off
--   next_attempt_at  not before this (exponential back-off after a failure)
--   lease_owner/until  which replica works the target, and until when
--   delivered/failed delivered events, and events given up on
CREATE TABLE outbound_targets (
  target            text PRIMARY KEY,
  webhook_id        uuid REFERENCES webhooks (id) ON DELETE CASCADE,
  last_id           bigint NOT NULL,
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  last_error        text,
  lease_owner       text,
  lease_until       timestamptz,
  delivered         bigint NOT NULL DEFAULT 0,
  failed            bigint NOT NULL DEFAULT 0,
  last_delivered_at timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbound_targets_due ON outbound_targets (next_attempt_at);

-- Events a target gave up on after the maximum attempts, with the last error, so an
-- administrator can see what a receiver missed.
CREATE TABLE outbound_failures (
  id         bigserial PRIMARY KEY,
  target     text NOT NULL,
  webhook_id uuid REFERENCES webhooks (id) ON DELETE CASCADE,
  outbox_id  bigint NOT NULL,
  clue_code  text NOT NULL,
  attempts   integer NOT NULL,
  last_error text NOT NULL,
  failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbound_failures_target ON outbound_failures (target, id DESC);
