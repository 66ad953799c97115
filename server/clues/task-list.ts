import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { DEVICE_KINDS, type DeviceKind } from '../../ingest/device-event.js';
import { scopeOf, scopeSqlParams } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import { CLUE_STATUSES, FINAL_STATUSES, type Clue, type ClueStatus } from './clue.js';
import { allowedActions, CLUE_ACTION_TYPES, type ClueActionType } from './lifecycle.js';
import { itemFactsOf, type RoutingContext } from './reroute.js';
import { clueFromRow, clueView, clueViewSchema, type ClueRow } from './stored-clue.js';

const sql = defineQueries(import.meta.url, { list: 'list-tasks' });

const OPEN_STATUSES = CLUE_STATUSES.filter((s) => !FINAL_STATUSES.includes(s));

/** Query of GET /api/v1/tasks: every filter optional. */
export const taskQuerySchema = z.object({
  /** One open status or several, comma-separated. */
  status: z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(OPEN_STATUSES as [ClueStatus, ...ClueStatus[]])))
    .optional(),
  item: z.string().min(1).max(64).optional(),
  /** The device kind that raised the clue. */
  kind: z.enum(DEVICE_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export type TaskQuery = z.infer<typeof taskQuerySchema>;

/** The tasks list answer: the page of tasks, each with what the caller may do next, and counts. */
export const taskListSchema = z.strictObject({
  unitId: z.string(),
  tasks: z.array(z.strictObject({ clue: clueViewSchema, nextActions: z.array(z.enum(CLUE_ACTION_TYPES)) })),
  /** Open tasks per status under the item and kind filters (not the status filter or the page). */
  counts: z.record(z.string(), z.number().int()),
  /** Tasks matching every filter, for paging. */
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type TaskList = z.infer<typeof taskListSchema>;

/**
 * A unit's tasks (任务单): the open clues whose primary unit is the caller's unit, in the
 * caller's scope, newest first, each with `nextActions` (the lifecycle's `allowedActions` for
 * this caller), and the open ones counted per status. A user bound to no unit has no tasks
 * list: GW_TASKS_NO_UNIT (409) says so rather than an empty list that looks like "nothing to do".
 */
export async function listTasks(pool: pg.Pool, ctx: Pick<RoutingContext, 'units' | 'history'>, user: User, q: TaskQuery): Promise<TaskList> {
  if (user.unitId === null) throw new GwError('GW_TASKS_NO_UNIT', `Listing tasks for ${user.username}: the user belongs to no unit`);
  const scope = scopeSqlParams(scopeOf(user));
  const kind: DeviceKind | null = q.kind ?? null;
  const { rows } = await pool.query<ClueRow & { status_counts: Partial<Record<ClueStatus, number>> }>(sql.list, [
    ...scope,
    user.unitId,
    FINAL_STATUSES,
    q.status ?? null,
    q.item ?? null,
    kind,
    q.limit,
    q.offset,
  ]);
  // One row with no clue when the page is empty: it only carries the counts.
  const counted = rows[0]?.status_counts ?? {};
  const byStatus = Object.fromEntries(OPEN_STATUSES.map((s) => [s, counted[s] ?? 0]));
  return {
    unitId: user.unitId,
    tasks: rows.filter((r) => r.id !== null).map(clueFromRow).map((c) => ({ clue: clueView(c), nextActions: nextActionsFor(ctx, user, c) })),
    counts: byStatus,
    total: OPEN_STATUSES.filter((s) => !q.status || q.status.includes(s)).reduce((sum, s) => sum + byStatus[s]!, 0),
    limit: q.limit,
    offset: q.offset,
  };
}

/**
 * What `user` may do next with `clue`: the lifecycle's `allowedActions`, given the item's facts and
 * the co-ordination office a rejection would go to (as the action shell finds it). Shared by the
 * tasks list and the clue detail, so the UI offers exactly what the action route would accept.
 */
export function nextActionsFor(ctx: Pick<RoutingContext, 'units' | 'history'>, user: User, c: Clue): ClueActionType[] {
  const office = (ctx.units.coordinationOffices.get(c.districtCode) ?? ctx.units.coordinationOffices.get(null))?.id ?? null;
  return allowedActions(c, { userId: user.username, role: user.role, unitId: user.unitId }, itemFactsOf(ctx.history, c), office);
}
