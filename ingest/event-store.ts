import type pg from 'pg';
import { defineQueries } from '../db/sql.js';
import { withTransaction } from '../db/transaction.js';
import type { DeadLetter, DeviceEvent } from './device-event.js';
import type { TransportName } from './transport.js';

const sql = defineQueries(import.meta.url, {
  insertEvents: 'insert-events',
  insertDeadLetters: 'insert-dead-letters',
  updateDevicesSeen: 'update-devices-seen',
});

/** The idempotency key of an event, as one string. */
export function eventKey(deviceId: string, eventId: string): string {
  return `${deviceId}\u0000${eventId}`;
}

/** An event with the transport it came by. */
export interface ReceivedEvent {
  event: DeviceEvent;
  transport: TransportName;
}

/** A dead letter with its position in the batch, which makes its storage idempotent. */
export interface SequencedDeadLetter {
  seq: number;
  letter: DeadLetter;
}

/** What goes into device_events.payload: the kind-specific fields, image and source CRS (the rest are columns). */
function payloadOf(e: DeviceEvent): string {
  const { eventId: _e, deviceId: _d, kind: _k, ts: _t, receivedAt: _r, position: _p, flags: _f, ...rest } = e;
  return JSON.stringify(rest);
}

/** A stored event as read back from device_events (times as epoch ms, position split). */
export interface StoredEventRow {
  device_id: string;
  event_id: string;
  kind: DeviceEvent['kind'];
  ts_ms: number;
  received_ms: number;
  transport: TransportName;
  lon: number;
  lat: number;
  accuracy_m: number | null;
  flags: string[];
  payload: Record<string, unknown>;
}

/** The event a stored row holds: the inverse of storing it (columns plus `payloadOf`). */
export function eventFromRow(r: StoredEventRow): ReceivedEvent {
  const event = {
    ...r.payload,
    eventId: r.event_id,
    deviceId: r.device_id,
    kind: r.kind,
    ts: r.ts_ms,
    receivedAt: r.received_ms,
    position: { lon: r.lon, lat: r.lat, accuracyM: r.accuracy_m },
    flags: r.flags,
  } as DeviceEvent;
  return { event, transport: r.transport };
}

/**
 * Stores one batch in one transaction: all events in one multi-row insert, all dead letters in
 * another, and each device's last-seen time and position once. Events already stored by another
 * delivery are skipped; the returned set holds the keys (see `eventKey`) this batch stored.
 * `batchId` must stay the same when the same batch is retried. Events must be unique by key.
 */
export async function storeBatch(
  pool: pg.Pool,
  batchId: string,
  received: readonly ReceivedEvent[],
  deadLetters: readonly SequencedDeadLetter[],
): Promise<Set<string>> {
  return withTransaction(pool, async (client) => {
    const stored = new Set<string>();
    if (received.length) {
      const events = received.map((r) => r.event);
      // Unnamed statements: on the embedded database every connection shares one PGlite
      // session, so a named statement prepared by a dropped connection would clash on reconnect.
      const { rows } = await client.query<{ device_id: string; event_id: string }>({
        text: sql.insertEvents,
        values: [
          events.map((e) => e.deviceId),
          events.map((e) => e.eventId),
          events.map((e) => e.kind),
          events.map((e) => e.ts),
          events.map((e) => e.receivedAt),
          received.map((r) => r.transport),
          events.map((e) => e.position.lon),
          events.map((e) => e.position.lat),
          events.map((e) => e.position.accuracyM),
          events.map((e) => e.flags.join(',')),
          events.map(payloadOf),
          batchId,
        ],
      });
      for (const r of rows) stored.add(eventKey(r.device_id, r.event_id));
      await updateDevicesSeen(client, events.filter((e) => stored.has(eventKey(e.deviceId, e.eventId))));
    }
    if (deadLetters.length) {
      const d = deadLetters.map((s) => s.letter);
      await client.query({
        text: sql.insertDeadLetters,
        values: [
          d.map((l) => l.transport),
          d.map((l) => l.code),
          d.map((l) => l.reason),
          d.map((l) => l.raw),
          d.map((l) => l.rawEncoding),
          d.map((l) => l.deviceId),
          d.map((l) => l.authenticatedDeviceId),
          d.map((l) => l.topic),
          d.map((l) => l.receivedAt),
          deadLetters.map((s) => s.seq),
          batchId,
          d.map((l) => l.rawBytes),
          d.map((l) => l.rawSha256),
          d.map((l) => l.rawTruncated),
        ],
      });
    }
    return stored;
  });
}

/** One row per device: the newest event's position and time, the latest receive time. */
async function updateDevicesSeen(client: pg.PoolClient, stored: DeviceEvent[]): Promise<void> {
  if (!stored.length) return;
  const latest = new Map<string, { seen: number; ts: number; lon: number; lat: number }>();
  for (const e of stored) {
    const cur = latest.get(e.deviceId);
    const seen = Math.max(cur?.seen ?? 0, e.receivedAt);
    if (!cur || e.ts > cur.ts) latest.set(e.deviceId, { seen, ts: e.ts, lon: e.position.lon, lat: e.position.lat });
    else cur.seen = seen;
  }
  // Sorted ids: concurrent batches (several app instances) then lock device rows in one order.
  const ids = [...latest.keys()].sort();
  const rows = ids.map((id) => latest.get(id)!);
  await client.query({
    text: sql.updateDevicesSeen,
    values: [ids, rows.map((r) => r.seen), rows.map((r) => r.ts), rows.map((r) => r.lon), rows.map((r) => r.lat)],
  });
}
