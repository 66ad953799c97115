/**
 * The clue event: the one shape in which a clue's creation or change leaves the transaction
 * that made it. The change's transaction queues it in `clue_outbox` (migration 033); the outbox
 * id is its sequence number, so every reader (MQTT, Kafka and webhook delivery, the live
 * WebSocket) sees the same events in the same order, at least once, and drops ids it has seen.
 */

/**
 * What happened to the clue (migrations 033, 052). Every event's payload is
 * `{change, clue: ClueView (the clue after the change), ...}` plus, per change:
 * - `created`: opened by alerts; `alerts`
 * - `updated`: alerts joined (count, last seen, severity, summary); `alerts`
 * - `transitioned`: a person's action; `transition` (the timeline event)
 * - `deadline`: the deadline scheduler's step; `step: ClueDeadlineStep`, `timeline`
 * - `evidence`: evidence attached; `evidence: {sha256, ...}`, `timeline`
 * - `alarm`: an operator acknowledged the urgent-clue alarm (alarm-ack.ts); `timeline`
 *
 * Readers that need "what changed" (the live WebSocket) compare `clue` with the clue of the
 * previous event of the same code; `closed`/`merged`/`escalated` statuses end a clue.
 */
export type ClueEventChange = 'created' | 'updated' | 'transitioned' | 'deadline' | 'evidence' | 'alarm';

/** Command levels that watch a clue; the deadline scheduler escalates town → district → city (升级). */
export const ESCALATION_LEVELS = ['town', 'district', 'city'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** One step of the deadline scheduler (预警 → 超期 → 升级), as a `deadline` event carries it. */
export interface ClueDeadlineStep {
  /** warning: a share of the time has passed; overdue: the deadline passed; escalated: the grace period passed too. */
  kind: 'warning' | 'overdue' | 'escalated';
  /** Which of the item's two deadlines: to accept (签收) or to close (办结). */
  deadline: 'accept' | 'close';
  /** The deadline, ISO 8601. */
  dueAt: string;
  /** For an escalation: the command level it went to (town → district → city). */
  level?: Exclude<EscalationLevel, 'town'>;
}

/** A clue event as its transaction queues it (column names of `clue_outbox`). */
export interface QueuedClueEvent {
  clue_id: number;
  clue_code: string;
  change: ClueEventChange;
  unit_ids: string[];
  payload: Record<string, unknown>;
}

/** A queued clue event read back, with its sequence number and time. */
export interface ClueEvent {
  id: number;
  clueCode: string;
  change: ClueEventChange;
  unitIds: string[];
  payload: unknown;
  createdAt: string;
}

/** A `clue_outbox` row as `read-outbox.sql` returns it (bigint as text or number, by pg's type parsers). */
export interface ClueEventRow {
  id: number | string;
  clue_code: string;
  change: ClueEventChange;
  unit_ids: string[];
  payload: unknown;
  created_at: Date;
}

/** Maps an outbox row onto the event readers deliver. */
export function clueEventFromRow(row: ClueEventRow): ClueEvent {
  return {
    id: Number(row.id),
    clueCode: row.clue_code,
    change: row.change,
    unitIds: row.unit_ids,
    payload: row.payload,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * The JSON every reader receives for one event (MQTT message, Kafka value, webhook body).
 * `eventId` is the outbox id: delivery is at least once, so receivers drop ids they have seen.
 */
export function clueEventMessage(e: ClueEvent, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { eventId: e.id, clueCode: e.clueCode, change: e.change, unitIds: e.unitIds, createdAt: e.createdAt, ...extra, payload: e.payload };
}
