-- Outbox of clue events (issue 5). Every clue insert, update and lifecycle transition writes
-- one row here IN THE SAME TRANSACTION as the change, so an event exists exactly when the
-- change committed. The dispatcher (another component) reads rows in id order and delivers
-- them to MQTT `clues/{unitId}/events` (one message per unit id), Kafka `clue-events` and
-- webhooks; this table is the whole contract between the two, and rows are never updated
-- here (the dispatcher keeps its own delivery state).
--
--   id          delivery order; bigserial, so later commits may show lower ids briefly
--               (a reader should re-scan a short window behind its cursor)
--   clue_id     clues.id
--   clue_code   the human-readable clue code, e.g. 330203-20260301-0007
--   change      'created' (opened by an alert), 'updated' (alerts joined: count, last seen,
--               severity, summary) or 'transitioned' (a person's action: dispatch, accept …)
--   unit_ids    the units to tell: primary unit, co-notified units, board units (hub), and
--               for a transition that moved the clue also the unit it left
--   payload     {change, clue: <the clue as GET /api/v1/clues/:code shows it, without the
--               timeline>, alerts?: [alerts joined by this change], transition?: <the timeline
--               event>}
--   created_at  when the change committed
CREATE TABLE clue_outbox (
  id         bigserial PRIMARY KEY,
  clue_id    bigint NOT NULL REFERENCES clues (id),
  clue_code  text NOT NULL,
  change     text NOT NULL CHECK (change IN ('created', 'updated', 'transitioned')),
  unit_ids   text[] NOT NULL,
  payload    jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clue_outbox_clue ON clue_outbox (clue_id);
