import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import type { User } from '../auth/users.js';
import type { UnitDirectory } from '../catalogue/units.js';
import { FINAL_STATUSES } from './clue.js';
import { findVisibleClue } from './clue-queries.js';
import { CASE_PROCEDURES, transition, type ClueAction, type TimelineEvent } from './lifecycle.js';
import { itemFactsOf, rerouteClue, type RoutingContext } from './reroute.js';
import { clueView, recordChanges, unitsToTell, type ClueView, type StoredClue } from './stored-clue.js';

const { UPDATE } = defineQueries(import.meta.url, { UPDATE: 'update-clue-status' });

const reason = z.string().trim().min(1).max(2000);
const unitId = z.string().min(1).max(64);

/**
 * An action as the API takes it. It is the lifecycle's `ClueAction`, except that a rejection
 * names no co-ordination office (the server finds the clue's district office itself) and a
 * re-route names no decision (the server routes the clue again under the version in force now).
 */
export const clueActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dispatch'), toUnitId: unitId.optional() }),
  z.object({ type: z.literal('accept') }),
  z.object({ type: z.literal('reject'), reason }),
  z.object({ type: z.literal('start') }),
  z.object({ type: z.literal('feedback'), note: reason }),
  z.object({ type: z.literal('verify') }),
  z.object({ type: z.literal('return'), reason }),
  z.object({ type: z.literal('close') }),
  z.object({ type: z.literal('transfer'), toUnitId: unitId, reason }),
  /** 立案: the procedure is required, simple (简易程序) or normal (普通程序). */
  z.object({ type: z.literal('escalate'), reason, procedure: z.enum(CASE_PROCEDURES) }),
  /** 源头化解: what the grid worker did on the spot. */
  z.object({ type: z.literal('closeAtSource'), note: reason }),
  z.object({ type: z.literal('reroute') }),
  z.object({ type: z.literal('merge'), intoCode: z.string().min(1).max(64) }),
]);
export type ClueActionInput = z.infer<typeof clueActionSchema>;

/**
 * The lifecycle action for an API action: checks the units it names, fills in the co-ordination
 * office and, for a re-route, the router's new decision (with the item name it implies).
 */
function toAction(
  input: ClueActionInput,
  clue: StoredClue,
  ctx: RoutingContext,
  now: number,
): { action: ClueAction; itemName: StoredClue['itemName'] } {
  const units: UnitDirectory = ctx.units;
  if ((input.type === 'dispatch' || input.type === 'transfer') && input.toUnitId !== undefined && !units.byId.has(input.toUnitId))
    throw new GwError('GW_CLUE_INVALID', `${input.type} clue ${clue.code} to ${input.toUnitId}: no such unit in service`);
  if (input.type === 'reroute') {
    const { routing, itemName } = rerouteClue(clue, ctx, now);
    return { action: { type: 'reroute', routing }, itemName };
  }
  if (input.type !== 'reject') return { action: input, itemName: clue.itemName };
  const office = units.coordinationOffices.get(clue.districtCode) ?? units.coordinationOffices.get(null)!;
  return { action: { ...input, coordinationOfficeId: office.id }, itemName: clue.itemName };
}

/**
 * Applies a person's action to a clue (docs/DESIGN.md §6) in one transaction: locks the clue, checks
 * it is in the user's jurisdiction (GW_CLUE_NOT_FOUND otherwise, as for an unknown code), runs
 * the pure `transition` (status and permission: GW_CLUE_STATE, GW_CLUE_FORBIDDEN,
 * GW_CLUE_INVALID), stores the change, appends
 * the timeline event (who, when, from where, what changed) and queues a 'transitioned' outbox
 * event for every unit concerned, including a unit the clue just left.
 */
export async function applyClueAction(
  pool: pg.Pool,
  ctx: RoutingContext,
  user: User,
  code: string,
  input: ClueActionInput,
  source: string | null,
  now = Date.now(),
): Promise<{ clue: ClueView; event: TimelineEvent }> {
  return withTransaction(pool, async (client) => {
    const clue = await findVisibleClue(client, user, code, true);
    if (input.type === 'merge') {
      const target = await findVisibleClue(client, user, input.intoCode).catch((err: unknown) => {
        throw err instanceof GwError ? new GwError('GW_CLUE_INVALID', `Merging clue ${code} into ${input.intoCode}: ${err.message}`) : err;
      });
      if (FINAL_STATUSES.includes(target.status) && target.code !== code)
        throw new GwError('GW_CLUE_INVALID', `Merging clue ${code} into ${target.code}: that clue is ${target.status}`);
    }
    const { action, itemName } = toAction(input, clue, ctx, now);
    const actor = { userId: user.username, role: user.role, unitId: user.unitId };
    const result = transition(clue, action, actor, now, itemFactsOf(ctx.history, clue));
    if (!result.ok) throw new GwError(result.error.code, result.error.message);
    const next: StoredClue = { ...clue, ...result.clue, itemName };
    await client.query(UPDATE, [
      clue.id, next.status, next.primaryUnitId, next.needsConfirmation, next.rejectedBy, next.closedAtSource,
      next.coNotifiedUnitIds, next.boardUnitIds, JSON.stringify(next.reasons), next.catalogueVersion, next.itemCode,
      next.itemName === null ? null : JSON.stringify(next.itemName),
    ]);
    const view = clueView(next);
    await recordChanges(
      client,
      [
        {
          clue_id: clue.id,
          at: now,
          actor: user.username,
          action: input.type,
          from_status: result.event.from,
          to_status: result.event.to,
          source,
          detail: {
            by: result.event.by,
            changes: result.event.changes,
            note: result.event.note,
            ...(result.event.previous ? { previous: result.event.previous } : {}),
          },
        },
      ],
      [
        {
          clue_id: clue.id,
          clue_code: clue.code,
          change: 'transitioned',
          unit_ids: unitsToTell(next, clue.primaryUnitId, ...clue.coNotifiedUnitIds, ...clue.boardUnitIds),
          payload: { change: 'transitioned', clue: view, transition: result.event },
        },
      ],
    );
    return { clue: view, event: result.event };
  });
}
