import type pg from 'pg';
import { z } from 'zod';
import { DEVICE_KINDS, type DeviceKind } from '../../ingest/device-event.js';
import { defineQueries } from '../../db/sql.js';
import { ALERT_TYPES, SEVERITIES } from '../detection/alert.js';
import { REASON_RULES } from '../routing/route-clue.js';
import { CLUE_STATUSES, type Clue } from './clue.js';
import { ESCALATION_LEVELS, type EscalationLevel, type QueuedClueEvent } from './clue-event.js';
import { chainRows, type ChainHead, type TimelineRow } from './timeline-chain.js';

const sql = defineQueries(import.meta.url, {
  insertTimeline: 'insert-timeline',
  insertOutbox: 'insert-outbox',
  lockHeads: 'lock-chain-heads',
  moveHeads: 'update-chain-heads',
});

/**
 * A clue as stored: the pure model plus what the record keeps around it. `review` marks a
 * clue opened by a review alert (人工复核, e.g. a low-confidence plate): confident alerts never
 * join it, and it waits for a person to confirm (dispatch) or merge it.
 */
export interface StoredClue extends Clue {
  id: number;
  review: boolean;
  itemName: { zh: string; en: string } | null;
  communityCode: string | null;
  gridCode: string | null;
  device: { id: string; kind: DeviceKind } | null;
  /** The opening alert's measured values and evidence. */
  details: Record<string, unknown>;
  /** The deadline scheduler's record (migration 060); absent on a clue being opened. */
  deadlines?: ClueDeadlines;
}

/** A clue's two deadlines and how far the scheduler went with them (docs/DEADLINES.md). */
export interface ClueDeadlines {
  /** To accept (签收) and to close (办结), ms; null until the scheduler planned them. */
  acceptDueAt: number | null;
  closeDueAt: number | null;
  /** Keys of the steps taken ('accept.warning', 'close.overdue', 'close.escalated.city' ...). */
  done: string[];
  escalationLevel: EscalationLevel;
}

/** A clue's deadlines before the scheduler has planned them. */
const UNPLANNED: ClueDeadlines = { acceptDueAt: null, closeDueAt: null, done: [], escalationLevel: 'town' };

/** A row of the `clue_rows` view (migration 034): what every clue read returns. */
export interface ClueRow {
  id: string;
  code: string;
  group_key: string;
  item_code: string | null;
  item_name: { zh: string; en: string } | null;
  alert_type: Clue['alertType'];
  asset_key: string;
  catalogue_version: number | null;
  status: Clue['status'];
  severity: Clue['severity'];
  alert_count: number;
  first_seen_at: Date;
  last_seen_at: Date;
  opened_at: Date;
  deadline_at: Date;
  window_min: number;
  primary_unit_id: string;
  co_notified: string[];
  board_unit_ids: string[];
  district_code: string | null;
  town_code: string | null;
  community_code: string | null;
  grid_code: string | null;
  lon: number;
  lat: number;
  needs_confirmation: boolean;
  review: boolean;
  reasons: Clue['reasons'];
  summary: Clue['summary'];
  rejected_by: string[];
  device_id: string | null;
  device_kind: DeviceKind | null;
  details: Record<string, unknown>;
  accept_due_at: Date | null;
  close_due_at: Date | null;
  deadline_done: string[];
  escalation_level: EscalationLevel;
  closed_at_source: boolean;
}

/** A stored clue from its row (bigint ids arrive as strings from pg). */
export function clueFromRow(r: ClueRow): StoredClue {
  return {
    id: Number(r.id),
    code: r.code,
    groupKey: r.group_key,
    itemCode: r.item_code,
    itemName: r.item_name,
    alertType: r.alert_type,
    assetKey: r.asset_key,
    catalogueVersion: r.catalogue_version,
    status: r.status,
    severity: r.severity,
    alertCount: r.alert_count,
    firstSeen: r.first_seen_at.getTime(),
    lastSeen: r.last_seen_at.getTime(),
    openedAt: r.opened_at.getTime(),
    deadline: r.deadline_at.getTime(),
    windowMin: r.window_min,
    primaryUnitId: r.primary_unit_id,
    coNotifiedUnitIds: r.co_notified,
    boardUnitIds: r.board_unit_ids,
    districtCode: r.district_code,
    townCode: r.town_code,
    communityCode: r.community_code,
    gridCode: r.grid_code,
    position: { lon: r.lon, lat: r.lat },
    needsConfirmation: r.needs_confirmation,
    review: r.review,
    reasons: r.reasons,
    summary: r.summary,
    rejectedBy: r.rejected_by,
    device: r.device_id && r.device_kind ? { id: r.device_id, kind: r.device_kind } : null,
    details: r.details,
    deadlines: {
      acceptDueAt: r.accept_due_at?.getTime() ?? null,
      closeDueAt: r.close_due_at?.getTime() ?? null,
      done: r.deadline_done,
      escalationLevel: r.escalation_level,
    },
    closedAtSource: r.closed_at_source,
  };
}

/** A text in Chinese and in English, as clues and their timelines carry them. */
export const bilingualSchema = z.strictObject({ zh: z.string(), en: z.string() });
const isoTime = z.iso.datetime();

/**
 * The clue as the API shows it and outbound events carry it: the model's fields with times
 * as ISO 8601, the item with its name, and the place with every jurisdiction level.
 */
export const clueViewSchema = z.strictObject({
  code: z.string(),
  status: z.enum(CLUE_STATUSES).meta({ id: 'ClueStatus' }),
  severity: z.enum(SEVERITIES).meta({ id: 'Severity' }),
  needsConfirmation: z.boolean(),
  /** Opened by a review alert (人工复核): waits for a person to dispatch or merge it. */
  review: z.boolean(),
  /** The catalogue item; null when no item covers the alert type. */
  item: z.strictObject({ code: z.string(), name: bilingualSchema.nullable() }).nullable(),
  alertType: z.enum(ALERT_TYPES),
  assetKey: z.string(),
  catalogueVersion: z.number().int().nullable(),
  alertCount: z.number().int().positive(),
  firstSeen: isoTime,
  lastSeen: isoTime,
  openedAt: isoTime,
  deadline: isoTime,
  windowMin: z.number().int(),
  primaryUnitId: z.string(),
  coNotifiedUnitIds: z.array(z.string()),
  boardUnitIds: z.array(z.string()),
  districtCode: z.string().nullable(),
  townCode: z.string().nullable(),
  communityCode: z.string().nullable(),
  gridCode: z.string().nullable(),
  /** WGS84. */
  position: z.strictObject({ lon: z.number(), lat: z.number() }),
  device: z.strictObject({ id: z.string(), kind: z.enum(DEVICE_KINDS) }).nullable(),
  summary: bilingualSchema,
  /** Why the clue went where it did, in Chinese and English. */
  reasons: z.array(z.strictObject({ rule: z.enum(REASON_RULES), zh: z.string(), en: z.string() })),
  rejectedBy: z.array(z.string()),
  /** The opening alert's measured values and evidence. */
  details: z.record(z.string(), z.unknown()),
  /** Deadline to accept (签收); null until the deadline scheduler has planned it (within one poll of opening). */
  acceptDueAt: isoTime.nullable(),
  /** Deadline to close (办结); `deadline` follows it once planned. */
  closeDueAt: isoTime.nullable(),
  /** The accept deadline passed before the clue was accepted (超期). */
  acceptOverdue: z.boolean(),
  /** The close deadline passed before the clue ended. */
  closeOverdue: z.boolean(),
  /** The command level watching it: town, or district / city after escalation (升级). */
  escalationLevel: z.enum(ESCALATION_LEVELS),
  /** Closed on the spot by a grid worker of the assigned unit (源头化解). */
  closedAtSource: z.boolean(),
}).meta({ id: 'ClueView' });
export type ClueView = z.infer<typeof clueViewSchema>;

const iso = (ms: number) => new Date(ms).toISOString();

/** The clue as `clueViewSchema` describes it. */
export function clueView(c: Omit<StoredClue, 'id'>): ClueView {
  return {
    code: c.code,
    status: c.status,
    severity: c.severity,
    needsConfirmation: c.needsConfirmation,
    review: c.review,
    item: c.itemCode === null ? null : { code: c.itemCode, name: c.itemName },
    alertType: c.alertType,
    assetKey: c.assetKey,
    catalogueVersion: c.catalogueVersion,
    alertCount: c.alertCount,
    firstSeen: iso(c.firstSeen),
    lastSeen: iso(c.lastSeen),
    openedAt: iso(c.openedAt),
    deadline: iso(c.deadline),
    windowMin: c.windowMin,
    primaryUnitId: c.primaryUnitId,
    coNotifiedUnitIds: c.coNotifiedUnitIds,
    boardUnitIds: c.boardUnitIds,
    districtCode: c.districtCode,
    townCode: c.townCode,
    communityCode: c.communityCode,
    gridCode: c.gridCode,
    position: c.position,
    device: c.device,
    summary: c.summary,
    reasons: c.reasons,
    rejectedBy: c.rejectedBy,
    details: c.details,
    closedAtSource: c.closedAtSource,
    ...deadlineView(c.deadlines ?? UNPLANNED),
  };
}

function deadlineView(d: ClueDeadlines): Pick<ClueView, 'acceptDueAt' | 'closeDueAt' | 'acceptOverdue' | 'closeOverdue' | 'escalationLevel'> {
  return {
    acceptDueAt: d.acceptDueAt === null ? null : iso(d.acceptDueAt),
    closeDueAt: d.closeDueAt === null ? null : iso(d.closeDueAt),
    acceptOverdue: d.done.includes('accept.overdue'),
    closeOverdue: d.done.includes('close.overdue'),
    escalationLevel: d.escalationLevel,
  };
}

/** Every unit a clue event goes to: primary, co-notified and board units, once each. */
export function unitsToTell(c: Pick<Clue, 'primaryUnitId' | 'coNotifiedUnitIds' | 'boardUnitIds'>, ...more: string[]): string[] {
  return [...new Set([c.primaryUnitId, ...c.coNotifiedUnitIds, ...c.boardUnitIds, ...more])];
}

export type { TimelineRow } from './timeline-chain.js';

/**
 * Appends timeline rows and queues outbox rows on the caller's transaction. The rows go on
 * their clues' hash chains (timeline-chain.ts): the clues' chain heads are locked and read,
 * the rows hashed in the order given, inserted in one statement and the heads moved, all in the
 * transaction of the change, so the record and the chain commit together or not at all.
 */
export async function recordChanges(client: pg.PoolClient, timeline: readonly TimelineRow[], outbox: readonly QueuedClueEvent[]): Promise<void> {
  if (timeline.length) {
    const ids = [...new Set(timeline.map((t) => t.clue_id))];
    const locked = await client.query<{ id: string; code: string; timeline_seq: number; timeline_hash: string }>(sql.lockHeads, [ids]);
    const heads = new Map<number, ChainHead>(locked.rows.map((r) => [Number(r.id), { code: r.code, seq: r.timeline_seq, hash: r.timeline_hash }]));
    const chained = chainRows(timeline, heads);
    await client.query(sql.insertTimeline, [JSON.stringify(chained.rows)]);
    await client.query(sql.moveHeads, [JSON.stringify([...chained.heads].map(([clue_id, h]) => ({ clue_id, seq: h.seq, hash: h.hash })))]);
  }
  if (outbox.length) await client.query(sql.insertOutbox, [JSON.stringify(outbox)]);
}
