import type pg from 'pg';
import { z } from 'zod';
import { GwError } from '../../core/errors.js';
import { defineQueries } from '../../db/sql.js';
import { canSeePlace, scopeOf } from '../auth/policy.js';
import type { User } from '../auth/users.js';
import { ALERT_TYPES, SEVERITIES } from '../detection/alert.js';
import { CLUE_STATUSES, type ClueStatus } from './clue.js';
import type { ClueDeadlineStep } from './clue-event.js';
import { EVIDENCE_ADDED, evidenceRecordSchema } from './evidence-record.js';
import { ALARM_ACK, alarmAckRecordSchema } from './alarm-record.js';
import { actionRecordSchema, CLUE_ACTION_TYPES } from './lifecycle.js';
import { bilingualSchema, clueFromRow, type ClueRow, type StoredClue } from './stored-clue.js';

const sql = defineQueries(import.meta.url, {
  find: 'find-clue',
  lock: 'lock-clue',
  timeline: 'clue-timeline',
});

/**
 * Whether a user may see (and so act on) a clue: the policy module's `canSeePlace` over its
 * district, town, community and grid, and the units it is assigned to, told about or shown to.
 */
export function canSee(user: User, clue: StoredClue): boolean {
  return canSeePlace(scopeOf(user), {
    codes: [clue.districtCode, clue.townCode, clue.communityCode, clue.gridCode],
    unitIds: [clue.primaryUnitId, ...clue.coNotifiedUnitIds, ...clue.boardUnitIds],
  });
}

/**
 * One clue `user` may see. A clue they may not see does not exist for them: it answers the same
 * GW_CLUE_NOT_FOUND, with the same message, as a code no clue has, so a code's existence and
 * its town do not leak across jurisdictions. With `forUpdate` (inside a transaction) the row
 * stays locked until it ends.
 */
export async function findVisibleClue(db: pg.Pool | pg.PoolClient, user: User, code: string, forUpdate = false): Promise<StoredClue> {
  const { rows } = await db.query<ClueRow>(forUpdate ? sql.lock : sql.find, [code]);
  const clue = rows[0] ? clueFromRow(rows[0]) : null;
  if (!clue || !canSee(user, clue)) throw new GwError('GW_CLUE_NOT_FOUND', `Looking up clue ${code}: no such clue`);
  return clue;
}

/** What the timeline records of an alert (clue-writer): the alert as detected. */
const alertRecordSchema = z.strictObject({
  alert: z.strictObject({
    type: z.enum(ALERT_TYPES),
    severity: z.enum(SEVERITIES),
    ts: z.iso.datetime(),
    disposition: z.enum(['clue', 'review']),
    summary: bilingualSchema,
    details: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
    evidence: z.strictObject({
      eventIds: z.array(z.string()),
      image: z.union([z.strictObject({ url: z.string() }), z.strictObject({ stored: z.string(), sha256: z.string(), mime: z.string() })]).optional(),
    }),
  }),
});

/** What the timeline records of a deadline scheduler step. */
const deadlineRecordSchema = z.strictObject({
  step: z.strictObject({
    kind: z.enum(['warning', 'overdue', 'escalated']),
    deadline: z.enum(['accept', 'close']),
    dueAt: z.iso.datetime(),
    level: z.enum(['district', 'city']).optional(),
  }) satisfies z.ZodType<ClueDeadlineStep>,
  /** Command units an escalation added to the clue's boards. */
  addedBoardUnitIds: z.array(z.string()),
});

/** Timeline actions of the deadline scheduler (actor 'system'). */
export const DEADLINE_ACTIONS = ['deadline.warning', 'deadline.overdue', 'deadline.escalated'] as const;

/** One entry of a clue's timeline (全过程记录) as the API shows it. */
export const timelineEntrySchema = z.strictObject({
  at: z.iso.datetime(),
  /** A username, 'pipeline' for alerts, 'system' for the deadline scheduler. */
  actor: z.string(),
  /** 'opened' for the alert that opened the clue, 'alert' for one that joined it, a person's action, a deadline step, evidence attached, or an urgent alarm acknowledged. */
  action: z.enum(['opened', 'alert', ...CLUE_ACTION_TYPES, ...DEADLINE_ACTIONS, EVIDENCE_ADDED, ALARM_ACK]),
  from: z.enum(CLUE_STATUSES).nullable(),
  to: z.enum(CLUE_STATUSES).nullable(),
  /** From where: `device:<id>` for the pipeline, the client address for a person. */
  source: z.string().nullable(),
  detail: z.union([alertRecordSchema, actionRecordSchema, deadlineRecordSchema, evidenceRecordSchema, alarmAckRecordSchema]),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/** A clue's timeline (全过程记录), oldest first. */
export async function clueTimeline(pool: pg.Pool, clueId: number): Promise<TimelineEntry[]> {
  const { rows } = await pool.query<{
    at: Date;
    actor: string;
    action: TimelineEntry['action'];
    from_status: ClueStatus | null;
    to_status: ClueStatus | null;
    source: string | null;
    detail: TimelineEntry['detail'];
  }>(sql.timeline, [clueId]);
  return rows.map((r) => ({ at: r.at.toISOString(), actor: r.actor, action: r.action, from: r.from_status, to: r.to_status, source: r.source, detail: r.detail }));
}
