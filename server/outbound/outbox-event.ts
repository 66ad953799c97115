/** One row of `clue_outbox` (migration 033): a clue creation or change to tell the units about. */
export interface OutboxEvent {
  id: number;
  clueCode: string;
  change: 'created' | 'updated' | 'transitioned';
  unitIds: string[];
  payload: unknown;
  createdAt: string;
}

/** A `clue_outbox` row as `read-outbox.sql` returns it (bigint as text or number, by pg's type parsers). */
export interface OutboxRow {
  id: number | string;
  clue_code: string;
  change: OutboxEvent['change'];
  unit_ids: string[];
  payload: unknown;
  created_at: Date;
}

/** Maps an outbox row onto the event the targets deliver. */
export function toOutboxEvent(row: OutboxRow): OutboxEvent {
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
 * The JSON every target receives for one event (MQTT message, Kafka value, webhook body).
 * `eventId` is the outbox id: delivery is at least once, so receivers drop ids they have seen.
 */
export function eventMessage(e: OutboxEvent, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { eventId: e.id, clueCode: e.clueCode, change: e.change, unitIds: e.unitIds, createdAt: e.createdAt, ...extra, payload: e.payload };
}
