-- Clue columns the pure clue model (server/clues/clue.ts) needs beyond 001, and the clue-code
-- counter (issue 5).
--
--   group_key       what alerts are grouped by: `${itemCode ?? alertType}|${assetKey}`
--   alert_type      the first alert's type (an item may cover several)
--   item_name       the item's name {zh, en} when the clue opened (null: no item covers it)
--   board_unit_ids  units whose boards also show the clue (the hub of a 1+X area)
--   window_min      minutes after last_seen_at in which a new alert joins the clue
--   opened_at       when the pipeline opened it (the clue code's date is this one's, UTC+8)
--   summary         {zh, en}: the alert summary, replaced when the severity goes up
--   rejected_by     unit ids that rejected it, in order (two → co-ordination office)
--   review          opened by a review alert (人工复核, e.g. a low-confidence plate read): it is
--                   also needs_confirmation, and confident alerts never join it, so a person
--                   confirms (dispatch) or merges it
--   device_id/kind  the device whose alert opened it
-- item_code becomes nullable: an alert type no item covers still opens a clue, for the
-- co-ordination office.
ALTER TABLE clues
  ALTER COLUMN item_code DROP NOT NULL,
  ADD COLUMN group_key text NOT NULL,
  ADD COLUMN alert_type text NOT NULL,
  ADD COLUMN item_name jsonb,
  ADD COLUMN board_unit_ids text[] NOT NULL DEFAULT '{}',
  ADD COLUMN window_min integer NOT NULL CHECK (window_min > 0),
  ADD COLUMN opened_at timestamptz NOT NULL,
  ADD COLUMN summary jsonb NOT NULL,
  ADD COLUMN rejected_by text[] NOT NULL DEFAULT '{}',
  ADD COLUMN review boolean NOT NULL DEFAULT false,
  ADD COLUMN device_id text,
  ADD COLUMN device_kind text;
-- The aggregation look-up: open clues of a batch's group keys.
CREATE INDEX clues_open_group ON clues (group_key, last_seen_at) WHERE status NOT IN ('closed', 'escalated', 'merged');
CREATE INDEX clues_district_status ON clues (district_code, status);
CREATE INDEX clues_opened ON clues (opened_at DESC);

-- Clue codes are district code + local date + sequence. The sequence comes from this counter:
-- a batch reserves what it needs per district and day with one INSERT … ON CONFLICT DO UPDATE
-- … RETURNING, inside the clue transaction, so replicas never hand out a number twice and a
-- rolled-back batch leaves no gap.
CREATE TABLE clue_sequences (
  district_code text NOT NULL,
  local_day     text NOT NULL CHECK (local_day ~ '^\d{8}$'),
  last_value    integer NOT NULL CHECK (last_value > 0),
  PRIMARY KEY (district_code, local_day)
);
