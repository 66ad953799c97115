-- Instructions (指令单, issue 9, docs/DEADLINES.md): a city or district operator tells a unit
-- to do something about a clue or an area (a jurisdiction or a drawn polygon) by a due time.
-- The unit acknowledges (签收) and answers (回复); the deadline scheduler warns and marks it
-- overdue like a clue's deadline (deadline_plan, deadline_done, next_deadline_at as on clues).
--   place_codes  the district and town codes the subject lies in: who may see it (scope)
CREATE TABLE instructions (
  id                bigserial PRIMARY KEY,
  issued_by         text NOT NULL,
  issued_at         timestamptz NOT NULL,
  target_unit_id    text NOT NULL,
  subject_kind      text NOT NULL CHECK (subject_kind IN ('clue', 'jurisdiction', 'area')),
  clue_id           bigint REFERENCES clues (id),
  jurisdiction_code text,
  area              geometry(MultiPolygon, 4326),
  place_codes       text[] NOT NULL,
  title             text NOT NULL,
  body              text NOT NULL,
  due_at            timestamptz NOT NULL,
  status            text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'acknowledged', 'answered')),
  acknowledged_at   timestamptz,
  acknowledged_by   text,
  answered_at       timestamptz,
  answered_by       text,
  answer            text,
  deadline_plan     jsonb NOT NULL DEFAULT '[]'::jsonb,
  deadline_done     text[] NOT NULL DEFAULT '{}',
  next_deadline_at  timestamptz,
  CHECK ((subject_kind = 'clue') = (clue_id IS NOT NULL)),
  CHECK ((subject_kind = 'jurisdiction') = (jurisdiction_code IS NOT NULL)),
  CHECK ((subject_kind = 'area') = (area IS NOT NULL))
);
CREATE INDEX instructions_next_deadline ON instructions (next_deadline_at) WHERE next_deadline_at IS NOT NULL;
CREATE INDEX instructions_target ON instructions (target_unit_id, status);
CREATE INDEX instructions_places ON instructions USING gin (place_codes);

-- What happened to an instruction, oldest first: issued, acknowledged, answered, and the
-- scheduler's warning and overdue steps. Append-only, like clue_timeline.
CREATE TABLE instruction_events (
  id             bigserial PRIMARY KEY,
  instruction_id bigint NOT NULL REFERENCES instructions (id),
  at             timestamptz NOT NULL,
  actor          text NOT NULL,
  action         text NOT NULL,
  detail         jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX instruction_events_instruction ON instruction_events (instruction_id, at);
CREATE TRIGGER instruction_events_append_only BEFORE UPDATE OR DELETE ON instruction_events
  FOR EACH ROW EXECUTE FUNCTION forbid_timeline_change();
