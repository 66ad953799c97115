-- Deadlines that do something (issue 9, docs/DEADLINES.md): the working-day calendar and the
-- deadline scheduler's columns on clues.
--
-- work_calendar        listed days, Asia/Shanghai local dates: public holidays ('holiday') and
--                      weekend days worked in exchange (调休, 'workday'); days not listed follow
--                      the week. Seeded at start-up from the `chinese-days` package for the years
--                      it knows; administrators import a year (JSON or CSV) to replace it.
-- work_calendar_years  which years are listed and where from; a year seeded or imported is
--                      never seeded again, so an administrator's import stands.
CREATE TABLE work_calendar (
  day  date PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name text NOT NULL
);
CREATE TABLE work_calendar_years (
  year        integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
  source      text NOT NULL CHECK (source IN ('chinese-days', 'json', 'csv')),
  day_count   integer NOT NULL,
  imported_by text,
  imported_at timestamptz NOT NULL DEFAULT now()
);

-- On clues:
--   accept_due_at / close_due_at  the item's two deadlines, to accept (签收) and to close (办结);
--                       NULL until the scheduler plans them (within one poll of the clue opening);
--                       deadline_at then follows close_due_at
--   deadline_plan       the planned steps [{key, kind, deadline, dueAt, at, level?}] (ms)
--   deadline_done       keys of the steps taken ('accept.warning', 'close.overdue', ...)
--   escalation_level    town → district → city: the command level watching the clue
--   next_deadline_at    when the scheduler next looks at the clue (its index scan); '-infinity'
--                       for a new clue (plan it now), NULL when nothing is left to do
ALTER TABLE clues
  ADD COLUMN accept_due_at timestamptz,
  ADD COLUMN close_due_at timestamptz,
  ADD COLUMN deadline_plan jsonb NOT NULL DEFAULT '[]'::jsonb,
  ADD COLUMN deadline_done text[] NOT NULL DEFAULT '{}',
  ADD COLUMN escalation_level text NOT NULL DEFAULT 'town' CHECK (escalation_level IN ('town', 'district', 'city')),
  ADD COLUMN next_deadline_at timestamptz DEFAULT '-infinity';
UPDATE clues SET next_deadline_at = NULL WHERE status IN ('closed', 'escalated', 'merged');
CREATE INDEX clues_next_deadline ON clues (next_deadline_at) WHERE next_deadline_at IS NOT NULL;

-- clue_rows (034) gains the deadline columns, at the end.
CREATE OR REPLACE VIEW clue_rows AS
SELECT id, code, group_key, item_code, item_name, alert_type, asset_key, catalogue_version, status, severity, alert_count,
       first_seen_at, last_seen_at, opened_at, deadline_at, window_min, primary_unit_id, co_notified, board_unit_ids,
       district_code, town_code, community_code, grid_code, ST_X(position) AS lon, ST_Y(position) AS lat,
       needs_confirmation, review, reasons, summary, rejected_by, device_id, device_kind, details,
       accept_due_at, close_due_at, deadline_done, escalation_level
  FROM clues;
