import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import type { User } from '../auth/users.js';
import type { UnitDirectory } from '../catalogue/units.js';
import { FINAL_STATUSES } from './clue.js';
import { findVisibleClue } from './clue-queries.js';
import { transition, type ClueAction, type TimelineEvent } from './lifecycle.js';
import { clueView, recordChanges, unitsToTell, type ClueView } from './stored-clue.js';

const { UPDATE } = defineQueries(import.meta.url, { UPDATE: 'update-clue-status' });

const reason = z.string().trim().min(1).max(2000);
const unitId = z.string().min(1).max(64);

/**
 * An action as the API takes it. It is the lifecycle's `ClueAction`, except that a rejection
 * names no co-ordination office: the server finds the clue's district office itself.
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
  z.object({ type: z.literal('escalate'), reason }),
  z.object({ type: z.literal('merge'), intoCode: z.string().min(1).max(64) }),
]);
export type ClueActionInput = z.infer<typeof clueActionSchema>;

/** The lifecycle action for an API action: checks the units it names and fills in the co-ordination office. */
function toAction(input: ClueActionInput, districtCode: string | null, units: UnitDirectory, clueCode: string): ClueAction {
  if ((input.type === 'dispatch' || input.type === 'transfer') && input.toUnitId !== undefined && !units.byId.has(input.toUnitId))
    throw new GwError('GW_CLUE_INVALID', `${input.type} clue ${clueCode} to ${input.toUnitId}: no such unit in service`);
  if (input.type !== 'reject') return input;
  const office = units.coordinationOffices.get(districtCode) ?? units.coordinationOffices.get(null)!;
  return { ...input, coordinationOfficeId: office.id };
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
  units: UnitDirectory,
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
    const result = transition(clue, toAction(input, clue.districtCode, units, code), { userId: user.username, role: user.role, unitId: user.unitId }, now);
    if (!result.ok) throw new GwError(result.error.code, result.error.message);
    const next = { ...clue, ...result.clue };
    await client.query(UPDATE, [clue.id, next.status, next.primaryUnitId, next.needsConfirmation, next.rejectedBy]);
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
          detail: { by: result.event.by, changes: result.event.changes, note: result.event.note },
        },
      ],
      [
        {
          clue_id: clue.id,
          clue_code: clue.code,
          change: 'transitioned',
          unit_ids: unitsToTell(next, clue.primaryUnitId),
          payload: { change: 'transitioned', clue: view, transition: result.event },
        },
      ],
    );
    return { clue: view, event: result.event };
  });
}
