import { z } from 'zod';
import { isCommand } from '../auth/policy.js';
import type { Role } from '../auth/users.js';
import { CLUE_STATUSES, type Clue, type ClueStatus } from './clue.js';

/** What a person can do to a clue. */
export type ClueAction =
  /** Command centre sends the clue out, confirming its routing (or re-routing it: 派单). */
  | { type: 'dispatch'; toUnitId?: string }
  /** The assigned unit takes it on (签收). */
  | { type: 'accept' }
  /** The assigned unit says it is not theirs (退回); the second unit to do so sends it to co-ordination. */
  | { type: 'reject'; reason: string; coordinationOfficeId: string }
  | { type: 'start' }
  /** The unit reports what it did (反馈). */
  | { type: 'feedback'; note: string }
  /** Command centre checks the result (核查). */
  | { type: 'verify' }
  /** Command centre finds the result wanting and sends it back to handling. */
  | { type: 'return'; reason: string }
  | { type: 'close' }
  /** Hand over to another unit (移交). */
  | { type: 'transfer'; toUnitId: string; reason: string }
  /** Becomes a formal case (立案). */
  | { type: 'escalate'; reason: string }
  /** A duplicate of another clue. */
  | { type: 'merge'; intoCode: string };
export type ClueActionType = ClueAction['type'];

/** Who acts. The roles are the auth core's `ROLES`, listed here so this pure core does not load users.ts (SQL, hashing). */
const actorSchema = z.strictObject({
  userId: z.string(),
  role: z.enum(['admin', 'operator', 'worker', 'officer', 'planner'] satisfies Role[]),
  unitId: z.string().nullable(),
});
export type Actor = z.infer<typeof actorSchema>;

/** What an action changes on a clue: always the status, and what `effects` sets. */
const clueChangesSchema = z.strictObject({
  status: z.enum(CLUE_STATUSES),
  needsConfirmation: z.boolean().optional(),
  primaryUnitId: z.string().optional(),
  rejectedBy: z.array(z.string()).optional(),
});
type ClueChanges = z.infer<typeof clueChangesSchema>;

/** What the timeline records of an action besides its statuses: who, what changed, the note. */
export const actionRecordSchema = z.strictObject({ by: actorSchema, changes: clueChangesSchema, note: z.string().nullable() });

/** The clue after an action and the event to append, or why the action was refused. */
export type TransitionResult =
  | { ok: true; clue: Clue; event: TimelineEvent }
  | { ok: false; error: { code: 'GW_CLUE_STATE' | 'GW_CLUE_FORBIDDEN' | 'GW_CLUE_INVALID'; message: string } };

/** Who may act: the command centre (operators, admins) or the unit the clue is assigned to. */
type By = 'command' | 'assignee' | 'either';

const RULES: Record<ClueActionType, { from: readonly ClueStatus[]; by: By }> = {
  dispatch: { from: ['new', 'rejected'], by: 'command' },
  accept: { from: ['dispatched', 'transferred'], by: 'assignee' },
  reject: { from: ['dispatched', 'transferred'], by: 'assignee' },
  start: { from: ['accepted'], by: 'assignee' },
  feedback: { from: ['accepted', 'handling'], by: 'assignee' },
  verify: { from: ['feedback'], by: 'command' },
  return: { from: ['feedback'], by: 'command' },
  close: { from: ['verified'], by: 'command' },
  transfer: { from: ['dispatched', 'accepted', 'handling', 'transferred'], by: 'either' },
  escalate: { from: ['new', 'dispatched', 'accepted', 'handling', 'feedback', 'verified', 'rejected', 'transferred'], by: 'command' },
  merge: { from: ['new', 'dispatched', 'accepted', 'handling', 'feedback', 'verified', 'rejected', 'transferred'], by: 'command' },
};

/** Every action type, in the order of the rules. */
export const CLUE_ACTION_TYPES = Object.keys(RULES) as [ClueActionType, ...ClueActionType[]];

/** One timeline entry (全过程记录): appended for every transition, never changed; `at` in ms since epoch. */
export const timelineEventSchema = z.strictObject({
  clueCode: z.string(),
  at: z.number().int(),
  action: z.enum(CLUE_ACTION_TYPES),
  from: z.enum(CLUE_STATUSES),
  to: z.enum(CLUE_STATUSES),
  ...actionRecordSchema.shape,
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;

const STATUS_AFTER: Record<Exclude<ClueActionType, 'reject'>, ClueStatus> = {
  dispatch: 'dispatched',
  accept: 'accepted',
  start: 'handling',
  feedback: 'feedback',
  verify: 'verified',
  return: 'handling',
  close: 'closed',
  transfer: 'transferred',
  escalate: 'escalated',
  merge: 'merged',
};

function allowed(by: By, actor: Actor, clue: Clue): boolean {
  const command = isCommand(actor.role);
  const assignee = actor.unitId !== null && actor.unitId === clue.primaryUnitId;
  return by === 'command' ? command : by === 'assignee' ? assignee : command || assignee;
}

/** The fields an action changes besides the status, and the note it records. */
function effects(clue: Clue, action: ClueAction): { changes: Partial<ClueChanges>; note: string | null } {
  switch (action.type) {
    case 'dispatch':
      return { changes: { needsConfirmation: false, ...(action.toUnitId ? { primaryUnitId: action.toUnitId } : {}) }, note: null };
    case 'reject': {
      const rejectedBy = [...clue.rejectedBy, clue.primaryUnitId];
      // 推诿扯皮: once two different units have bounced it, co-ordination decides (职责争议).
      if (new Set(rejectedBy).size >= 2)
        return { changes: { rejectedBy, status: 'dispatched', primaryUnitId: action.coordinationOfficeId }, note: action.reason };
      return { changes: { rejectedBy }, note: action.reason };
    }
    case 'transfer':
      return { changes: { primaryUnitId: action.toUnitId }, note: action.reason };
    case 'feedback':
      return { changes: {}, note: action.note };
    case 'return':
    case 'escalate':
      return { changes: {}, note: action.reason };
    case 'merge':
      return { changes: {}, note: `merged into ${action.intoCode}` };
    default:
      return { changes: {}, note: null };
  }
}

/**
 * Applies one action to a clue (docs/DESIGN.md §6): checks the status allows it and the actor may
 * do it, and returns the new clue with the timeline event to append. A second rejection by a
 * different unit sends the clue, dispatched, to the co-ordination office, which cannot itself
 * reject. Pure: storing the clue and event, and notifying units, is the caller's.
 */
export function transition(clue: Clue, action: ClueAction, actor: Actor, now: number): TransitionResult {
  const rule = RULES[action.type];
  if (!rule.from.includes(clue.status))
    return { ok: false, error: { code: 'GW_CLUE_STATE', message: `cannot ${action.type} clue ${clue.code} while it is ${clue.status}` } };
  if (!allowed(rule.by, actor, clue))
    return {
      ok: false,
      error: {
        code: 'GW_CLUE_FORBIDDEN',
        message: `${actor.userId} (${actor.role}${actor.unitId ? ` of ${actor.unitId}` : ''}) may not ${action.type} clue ${clue.code}, assigned to ${clue.primaryUnitId}`,
      },
    };
  if (action.type === 'reject' && clue.primaryUnitId === action.coordinationOfficeId)
    return { ok: false, error: { code: 'GW_CLUE_INVALID', message: `the co-ordination office decides disputed clue ${clue.code}; it cannot reject it` } };
  if ((action.type === 'transfer' || action.type === 'dispatch') && action.toUnitId === clue.primaryUnitId)
    return { ok: false, error: { code: 'GW_CLUE_INVALID', message: `clue ${clue.code} is already with ${clue.primaryUnitId}` } };
  if (action.type === 'merge' && action.intoCode === clue.code)
    return { ok: false, error: { code: 'GW_CLUE_INVALID', message: `clue ${clue.code} cannot be merged into itself` } };

  const { changes, note } = effects(clue, action);
  const status = changes.status ?? (action.type === 'reject' ? 'rejected' : STATUS_AFTER[action.type]);
  const allChanges: ClueChanges = { ...changes, status };
  return {
    ok: true,
    clue: { ...clue, ...allChanges },
    event: {
      clueCode: clue.code,
      at: now,
      by: { userId: actor.userId, role: actor.role, unitId: actor.unitId },
      action: action.type,
      from: clue.status,
      to: status,
      changes: allChanges,
      note,
    },
  };
}
