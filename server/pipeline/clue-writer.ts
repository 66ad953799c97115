import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import { withTransaction } from '../../db/transaction.js';
import { h3CellOf } from '../../geo/h3-cell.js';
import { eventKey } from '../../ingest/event-store.js';
import { clueCode, groupKey, NO_DISTRICT_CODE } from '../clues/aggregate.js';
import { clueFromRow, clueView, recordChanges, unitsToTell, type ClueRow, type TimelineRow } from '../clues/stored-clue.js';
import type { QueuedClueEvent } from '../clues/clue-event.js';
import type { Alert } from '../detection/alert.js';
import { localDateCompact } from '../detection/time-window.js';
import type { DetectorState } from '../detection/detect.js';
import { planClues, type PlannedClue, type RoutedAlert } from './plan-clues.js';

const sql = defineQueries(import.meta.url, {
  lockKeys: 'lock-keys',
  findStates: 'find-detector-states',
  findOpen: 'find-open-clues',
  reserve: 'reserve-clue-sequences',
  insertClues: 'insert-clues',
  updateClues: 'update-joined-clues',
  upsertStates: 'upsert-detector-states',
  claimEvents: 'claim-events',
});

/** A detector state to store under its key. */
export interface StateChange {
  key: string;
  deviceId: string;
  state: DetectorState;
}

/** Lock namespaces (hash seeds) of the two kinds of keys a batch locks. */
const STATE_KEYS = 7_340_114;
const GROUP_KEYS = 7_340_115;

/** What a batch decided from the stored states of its keys: alerts to store and new states. */
export interface BatchDecision {
  routed: RoutedAlert[];
  changes: StateChange[];
}

/** What one batch wrote. */
export interface BatchResult {
  /** How many of its stored events the batch claimed (the rest were taken by another). */
  claimed: number;
  opened: string[];
  updated: string[];
  /** The alerts it stored (each joined or opened a clue). */
  alerts: Alert[];
}

/** The timeline entry for one alert: 'opened' for the alert that opened the clue, else 'alert'. */
function alertTimeline(p: PlannedClue, clueId: number, now: number): TimelineRow[] {
  return p.alerts.map(({ alert }, i) => ({
    clue_id: clueId,
    at: now,
    actor: 'pipeline',
    action: p.id === undefined && i === 0 ? 'opened' : 'alert',
    // An auto-dispatched clue opens as new and goes out in the same step.
    from_status: p.id === undefined && i === 0 ? 'new' : p.clue.status,
    to_status: p.clue.status,
    source: `device:${alert.deviceId}`,
    detail: {
      alert: { type: alert.type, severity: alert.severity, ts: new Date(alert.ts).toISOString(), disposition: alert.disposition, summary: alert.summary, details: alert.details, evidence: alert.evidence },
    },
  }));
}

/**
 * Gives the batch's new clues their real codes: one reservation per district for the local
 * day of `now`, numbered in the order the clues were opened.
 */
async function assignCodes(client: pg.PoolClient, fresh: PlannedClue[], now: number): Promise<void> {
  if (!fresh.length) return;
  const day = localDateCompact(now);
  const districtOf = (p: PlannedClue) => p.clue.districtCode ?? NO_DISTRICT_CODE;
  const counts = new Map<string, number>();
  for (const p of fresh) counts.set(districtOf(p), (counts.get(districtOf(p)) ?? 0) + 1);
  const districts = [...counts.keys()];
  const { rows } = await client.query<{ district_code: string; last_value: number }>(sql.reserve, [
    districts,
    districts.map(() => day),
    districts.map((d) => counts.get(d)!),
  ]);
  const next = new Map(rows.map((r) => [r.district_code, r.last_value - counts.get(r.district_code)! + 1]));
  for (const p of fresh) {
    const d = districtOf(p);
    const seq = next.get(d)!;
    next.set(d, seq + 1);
    p.clue = { ...p.clue, code: clueCode(p.clue.districtCode, now, seq) };
  }
}

/** A batch's stored events, by idempotency key, for the transaction to claim. */
export interface EventKeys {
  deviceIds: string[];
  eventIds: string[];
}

/**
 * Runs one batch in one transaction. It first claims the batch's stored events (`events`, for
 * a batch of events): marks them processed, skipping any that another transaction holds or has
 * processed, so `decide` sees which ones (by `eventKey`) are its own to detect, and their mark
 * commits with what they caused, or not at all. It locks the batch's detector-state keys and
 * reads their stored states, so replicas sharing a device's events (an MQTT shared subscription
 * delivers them round-robin) take turns on the same state; `decide` (pure: detect and route)
 * turns them into alerts and new states. Then it locks the alerts' group keys, loads their open
 * clues, plans joins and openings with the pure aggregation, reserves clue codes, inserts new
 * clues and updates joined ones (one statement each), appends one timeline event per alert
 * and one outbox row per changed clue, and upserts the new states. All of it commits or none.
 */
export async function writeBatch(
  pool: pg.Pool,
  stateKeys: readonly string[],
  decide: (states: ReadonlyMap<string, DetectorState>, claimed: ReadonlySet<string>) => BatchDecision,
  now: number,
  events: EventKeys | null,
): Promise<BatchResult> {
  return withTransaction(pool, async (client) => {
    const claimed = new Set<string>();
    if (events?.deviceIds.length) {
      const { rows } = await client.query<{ device_id: string; event_id: string }>(sql.claimEvents, [events.deviceIds, events.eventIds]);
      for (const r of rows) claimed.add(eventKey(r.device_id, r.event_id));
    }
    const stored = new Map<string, DetectorState>();
    if (stateKeys.length) {
      await client.query(sql.lockKeys, [stateKeys, STATE_KEYS]);
      const { rows } = await client.query<{ state_key: string; state: DetectorState }>(sql.findStates, [stateKeys]);
      for (const r of rows) stored.set(r.state_key, r.state);
    }
    const { routed, changes: states } = decide(stored, claimed);
    let planned: PlannedClue[] = [];
    if (routed.length) {
      const keys = [...new Set(routed.map((r) => groupKey(r.alert, r.decision)))];
      await client.query(sql.lockKeys, [keys, GROUP_KEYS]);
      const earliest = Math.min(...routed.map((r) => r.alert.ts));
      const { rows } = await client.query<ClueRow>(sql.findOpen, [keys, earliest]);
      planned = planClues(rows.map(clueFromRow), routed, now);
    }
    const fresh = planned.filter((p) => p.id === undefined);
    const joined = planned.filter((p) => p.id !== undefined);
    await assignCodes(client, fresh, now);

    const ids = new Map<PlannedClue, number>(joined.map((p) => [p, p.id!]));
    if (fresh.length) {
      const rows = fresh.map(({ clue: c }) => ({
        code: c.code, group_key: c.groupKey, item_code: c.itemCode, item_name: c.itemName, alert_type: c.alertType,
        asset_key: c.assetKey, catalogue_version: c.catalogueVersion, status: c.status, severity: c.severity,
        alert_count: c.alertCount, first_seen: c.firstSeen, last_seen: c.lastSeen, opened_at: c.openedAt,
        deadline: c.deadline, window_min: c.windowMin, primary_unit_id: c.primaryUnitId, co_notified: c.coNotifiedUnitIds,
        board_unit_ids: c.boardUnitIds, district_code: c.districtCode, town_code: c.townCode,
        community_code: c.communityCode, grid_code: c.gridCode, lon: c.position.lon, lat: c.position.lat,
        needs_confirmation: c.needsConfirmation, review: c.review, reasons: c.reasons, summary: c.summary,
        rejected_by: c.rejectedBy, device_id: c.device?.id ?? null, device_kind: c.device?.kind ?? null, details: c.details,
        h3_r9: h3CellOf(c.position.lon, c.position.lat),
      }));
      const inserted = await client.query<{ id: string; code: string }>(sql.insertClues, [JSON.stringify(rows)]);
      const idOf = new Map(inserted.rows.map((r) => [r.code, Number(r.id)]));
      for (const p of fresh) ids.set(p, idOf.get(p.clue.code)!);
    }
    if (joined.length)
      await client.query(sql.updateClues, [
        JSON.stringify(
          joined.map(({ id, clue: c }) => ({ id, alert_count: c.alertCount, last_seen: c.lastSeen, severity: c.severity, summary: c.summary, details: c.details })),
        ),
      ]);

    const timeline = planned.flatMap((p) => alertTimeline(p, ids.get(p)!, now));
    const outbox: QueuedClueEvent[] = planned.map((p) => ({
      clue_id: ids.get(p)!,
      clue_code: p.clue.code,
      change: p.id === undefined ? 'created' : 'updated',
      unit_ids: unitsToTell(p.clue),
      payload: {
        change: p.id === undefined ? 'created' : 'updated',
        clue: clueView(p.clue),
        alerts: p.alerts.map(({ alert }) => ({ type: alert.type, severity: alert.severity, ts: new Date(alert.ts).toISOString(), summary: alert.summary })),
      },
    }));
    await recordChanges(client, timeline, outbox);
    if (states.length)
      await client.query(sql.upsertStates, [
        JSON.stringify(states.map((s) => ({ state_key: s.key, kind: s.state.kind, device_id: s.deviceId, state: s.state }))),
      ]);
    return { claimed: claimed.size, opened: fresh.map((p) => p.clue.code), updated: joined.map((p) => p.clue.code), alerts: routed.map((r) => r.alert) };
  });
}
