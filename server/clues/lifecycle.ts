import { z } from 'zod';
import { isCommand, isGridWorker } from '../auth/policy.js';
import type { Role } from '../auth/users.js';
import { REASON_RULES } from '../routing/route-clue.js';
import { CLUE_STATUSES, type Clue, type ClueStatus } from './clue.js';

/** Procedures of a formal case (立案): 简易程序 (simple, on the spot) or 普通程序 (normal). */
export const CASE_PROCEDURES = ['simple', 'normal'] as const;
export type CaseProcedure = (typeof CASE_PROCEDURES)[number];

const reasonSchema = z.strictObject({ rule: z.enum(REASON_RULES), zh: z.string(), en: z.string() });

/** Where routing sends a clue, as the lifecycle stores it: the router's decision, by unit id. */
const routingSchema = z.strictObject({
  itemCode: z.string().nullable(),
  catalogueVersion: z.number().int().nullable(),
  primaryUnitId: z.string(),
  coNotifiedUnitIds: z.array(z.string()),
  boardUnitIds: z.array(z.string()),
  needsConfirmation: z.boolean(),
  reasons: z.array(reasonSchema),
});
export type Routing = z.infer<typeof routingSchema>;

/** What the catalogue says about the clue's item that the lifecycle needs; none when no item covers it. */
export interface ItemFacts {
  /** The item may be closed at source (源头化解) by a grid worker of the assigned unit. */
  closeAtSource: boolean;
}
const NO_ITEM: ItemFacts = { closeAtSource: false };

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
  /** Becomes a formal case (立案), under the simple or the normal procedure. */
  | { type: 'escalate'; reason: string; procedure: CaseProcedure }
  /** A grid worker of the assigned unit resolves it on the spot (源头化解), where the item allows it. */
  | { type: 'closeAtSource'; note: string }
  /** Command centre routes it again under the catalogue version in force now (the router's decision). */
  | { type: 'reroute'; routing: Routing }
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
  ...routingSchema.partial().shape,
  status: z.enum(CLUE_STATUSES),
  needsConfirmation: z.boolean().optional(),
  primaryUnitId: z.string().optional(),
  rejectedBy: z.array(z.string()).optional(),
  procedure: z.enum(CASE_PROCEDURES).optional(),
  closedAtSource: z.boolean().optional(),
});
type ClueChanges = z.infer<typeof clueChangesSchema>;

/** What the timeline records of an action besides its statuses: who, what changed, the note. */
export const actionRecordSchema = z.strictObject({
  by: actorSchema,
  changes: clueChangesSchema,
  note: z.string().nullable(),
  /** A re-route keeps the decision it replaced beside the new one (in `changes`). */
  previous: routingSchema.optional(),
});

/** The clue after an action and the event to append, or why the action was refused. */
export type TransitionResult =
  | { ok: true; clue: Clue; event: TimelineEvent }
  | { ok: false; error: { code: 'GW_CLUE_STATE' | 'GW_CLUE_FORBIDDEN' | 'GW_CLUE_INVALID'; message: string } };

/**
 * Who may act: the command centre (operators, admins), the unit the clue is assigned to, either,
 * or only a grid worker of the assigned unit (源头化解). Which roles are which is the policy module's.
 */
type By = 'command' | 'assignee' | 'either' | 'assigned-worker';

const OPEN: readonly ClueStatus[] = ['new', 'dispatched', 'accepted', 'handling', 'feedback', 'verified', 'rejected', 'transferred'];

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
  escalate: { from: OPEN, by: 'command' },
  closeAtSource: { from: ['accepted', 'handling'], by: 'assigned-worker' },
  // Not once the unit has reported: the result is then the command centre's to check.
  reroute: { from: ['new', 'dispatched', 'accepted', 'handling', 'rejected', 'transferred'], by: 'command' },
  merge: { from: OPEN, by: 'command' },
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

const STATUS_AFTER: Record<Exclude<ClueActionType, 'reject' | 'reroute'>, ClueStatus> = {
  dispatch: 'dispatched',
  accept: 'accepted',
  start: 'handling',
  feedback: 'feedback',
  verify: 'verified',
  return: 'handling',
  close: 'closed',
  transfer: 'transferred',
  escalate: 'escalated',
  closeAtSource: 'closed',
  merge: 'merged',
};

function allowed(by: By, actor: Actor, clue: Clue): boolean {
  const command = isCommand(actor.role);
  const assignee = actor.unitId !== null && actor.unitId === clue.primaryUnitId;
  switch (by) {
    case 'command':
      return command;
    case 'assignee':
      return assignee;
    case 'either':
      return command || assignee;
    case 'assigned-worker':
      return assignee && isGridWorker(actor.role);
  }
}

/** The routing fields of a clue, as a re-route replaces them. */
function routingOf(clue: Clue): Routing {
  return {
    itemCode: clue.itemCode,
    catalogueVersion: clue.catalogueVersion,
    primaryUnitId: clue.primaryUnitId,
    coNotifiedUnitIds: clue.coNotifiedUnitIds,
    boardUnitIds: clue.boardUnitIds,
    needsConfirmation: clue.needsConfirmation,
    reasons: clue.reasons,
  };
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
      return { changes: {}, note: action.reason };
    case 'escalate':
      return { changes: { procedure: action.procedure }, note: action.reason };
    case 'closeAtSource':
      return { changes: { closedAtSource: true }, note: action.note };
    case 'reroute':
      // A new clue stays for the command centre to dispatch; one already out goes to the new unit at once.
      return {
        changes: { ...action.routing, rejectedBy: [], status: clue.status === 'new' ? 'new' : 'dispatched' },
        note: action.routing.reasons.map((r) => r.zh).join('；'),
      };
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
export function transition(clue: Clue, action: ClueAction, actor: Actor, now: number, item: ItemFacts = NO_ITEM): TransitionResult {
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
  const invalid = refusal(clue, action, item);
  if (invalid) return { ok: false, error: { code: 'GW_CLUE_INVALID', message: invalid } };

  const { changes, note } = effects(clue, action);
  const status = changes.status ?? (action.type === 'reject' ? 'rejected' : STATUS_AFTER[action.type as keyof typeof STATUS_AFTER]);
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
      ...(action.type === 'reroute' ? { previous: routingOf(clue) } : {}),
    },
  };
}

/** Why an action that status and actor allow still makes no sense for this clue, if it does not. */
function refusal(clue: Clue, action: ClueAction, item: ItemFacts): string | null {
  const text = 'reason' in action ? action.reason : 'note' in action ? action.note : undefined;
  if (text !== undefined && text.trim() === '') return `${action.type} clue ${clue.code}: a reason is required`;
  if (action.type === 'closeAtSource' && !item.closeAtSource)
    return `clue ${clue.code}: its item ${clue.itemCode ?? '(none)'} may not be closed at source (源头化解)`;
  if (action.type === 'reject' && clue.primaryUnitId === action.coordinationOfficeId)
    return `the co-ordination office decides disputed clue ${clue.code}; it cannot reject it`;
  if ((action.type === 'transfer' || action.type === 'dispatch') && action.toUnitId === clue.primaryUnitId)
    return `clue ${clue.code} is already with ${clue.primaryUnitId}`;
  if (action.type === 'merge' && action.intoCode === clue.code) return `clue ${clue.code} cannot be merged into itself`;
  return null;
}

/**
 * What `actor` may do next with `clue` (the tasks list's `nextActions`): every action whose
 * status and actor rules `transition` would pass, in the order of the rules, given the item's
 * facts and the co-ordination office that would take a rejection (which cannot itself reject).
 * Checks that depend on the action's input (a reason, a target unit) are left to `transition`.
 */
export function allowedActions(clue: Clue, actor: Actor, item: ItemFacts = NO_ITEM, coordinationOfficeId: string | null = null): ClueActionType[] {
  return CLUE_ACTION_TYPES.filter((type) => {
    const rule = RULES[type];
    if (!rule.from.includes(clue.status) || !allowed(rule.by, actor, clue)) return false;
    if (type === 'reject') return clue.primaryUnitId !== coordinationOfficeId;
    return type !== 'closeAtSource' || item.closeAtSource;
  });
}
