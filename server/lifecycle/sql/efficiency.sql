-- Efficiency (docs/DESIGN.md §1, §6) per unit or per town, over the clues opened in a period that a
-- user may see, from the timeline (server/lifecycle/efficiency.ts documents each figure).
-- $1-$3 the user's scope (scopeSqlParams, the rule of canSeePlace); $4-$5 opened at or after /
-- before; $6 'unit' (the clue's current primary unit) or 'town' (its town code); $7 the time the
-- figures are taken at (what is overdue, or late though not yet done, is judged then).
-- Merged clues are duplicates and count nowhere.
-- Due times are the deadline scheduler's accept_due_at and close_due_at (migration 060); a clue
-- it has not planned yet (within one poll of opening) is due by deadline_at for both. A clue is
-- closed at the source when a grid worker closed it so (closed_at_source, migration 075).
WITH population AS (
  SELECT c.id, c.status, c.opened_at, c.primary_unit_id, c.town_code,
         COALESCE(c.accept_due_at, c.deadline_at) AS accept_due,
         COALESCE(c.close_due_at, c.deadline_at) AS close_due,
         c.closed_at_source AS at_source
    FROM clues AS c
   WHERE ($1::boolean
          OR c.district_code = ANY ($2::text[]) OR c.town_code = ANY ($2::text[])
          OR c.community_code = ANY ($2::text[]) OR c.grid_code = ANY ($2::text[])
          OR ($3::text IS NOT NULL AND ($3 = c.primary_unit_id OR $3 = ANY (c.co_notified) OR $3 = ANY (c.board_unit_ids))))
     AND c.opened_at >= $4::timestamptz AND c.opened_at < $5::timestamptz
     AND c.status <> 'merged'
),
-- Per clue: the first accept (签收), the first close (办结), whether it was ever dispatched, and
-- whether it was ever re-routed: transferred (移交), dispatched to a named unit, or sent to
-- co-ordination by a second rejection (each records the new primaryUnitId in its changes).
steps AS (
  SELECT t.clue_id,
         min(t.at) FILTER (WHERE t.action = 'accept') AS accepted_at,
         min(t.at) FILTER (WHERE t.action IN ('close', 'closeAtSource')) AS closed_at,
         bool_or(t.action = 'dispatch') AS dispatched,
         bool_or(t.action IN ('transfer', 'reroute') OR (t.action IN ('dispatch', 'reject') AND t.detail -> 'changes' ? 'primaryUnitId')) AS rerouted
    FROM clue_timeline AS t
    JOIN population AS p ON p.id = t.clue_id
   GROUP BY t.clue_id
),
facts AS (
  SELECT CASE WHEN $6::text = 'unit' THEN p.primary_unit_id ELSE p.town_code END AS key,
         p.status, p.accept_due, p.close_due,
         s.accepted_at, s.closed_at,
         COALESCE(s.dispatched, false) AS dispatched,
         COALESCE(s.rerouted, false) AS rerouted,
         p.at_source,
         extract(epoch FROM s.accepted_at - p.opened_at)::float8 / 60 AS accept_min,
         extract(epoch FROM s.closed_at - p.opened_at)::float8 / 60 AS close_min
    FROM population AS p
    LEFT JOIN steps AS s ON s.clue_id = p.id
)
SELECT key,
       count(*)::int AS clues,
       -- Accepting is judged once done or once due: accepted, or still not accepted past its due time.
       count(*) FILTER (WHERE accepted_at IS NOT NULL OR accept_due < $7::timestamptz)::int AS accept_judged,
       count(*) FILTER (WHERE accepted_at <= accept_due)::int AS accepted_on_time,
       -- Closing likewise; an escalated clue (a formal case now) is judged only if it was closed before.
       count(*) FILTER (WHERE closed_at IS NOT NULL OR (status <> 'escalated' AND close_due < $7::timestamptz))::int AS close_judged,
       count(*) FILTER (WHERE closed_at <= close_due)::int AS closed_on_time,
       count(*) FILTER (WHERE dispatched)::int AS dispatched,
       count(*) FILTER (WHERE dispatched AND NOT rerouted)::int AS first_dispatch_kept,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY accept_min) AS median_accept_min,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY close_min) AS median_close_min,
       count(*) FILTER (WHERE closed_at IS NOT NULL)::int AS closed,
       count(*) FILTER (WHERE closed_at IS NOT NULL AND at_source)::int AS closed_at_source,
       count(*) FILTER (WHERE status NOT IN ('closed', 'escalated', 'merged') AND close_due < $7::timestamptz)::int AS overdue
  FROM facts
 GROUP BY key
 ORDER BY key NULLS LAST
