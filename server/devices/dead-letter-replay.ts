import type pg from 'pg';
import { defineQueries } from '../../db/sql.js';
import type { IngestOutcome, IngestSink, TransportName } from '../../ingest/transport.js';

const sql = defineQueries(import.meta.url, {
  select: 'select-for-replay',
  record: 'record-replay',
});

/** Which dead letters to replay; absent filters match all. */
export interface ReplayFilter {
  transport?: TransportName;
  code?: string;
  deviceId?: string;
  from?: Date;
  to?: Date;
  ids?: number[];
  /** Replay letters that were replayed before too (a single replay by id always may). */
  includeReplayed: boolean;
  limit: number;
}

/** The text kept in dead_letters.replay_result. */
function describeOutcome(o: IngestOutcome): string {
  return o.status === 'rejected' ? `rejected ${o.code}: ${o.reason}` : o.status;
}

/**
 * Re-submits dead letters through the sink exactly as if newly received (same transport,
 * same raw bytes, and the same authenticated device, so a replay never lets one device speak
 * for another), then records each outcome on the letter. A replay that fails again leaves a
 * new dead letter with the new reason. A letter that keeps only the start of its payload (over
 * the decode limit) is not submitted: it is rejected as GW_INGEST_TOO_LARGE again. Returns the
 * outcome per letter, oldest first.
 */
export async function replayDeadLetters(pool: pg.Pool, sink: IngestSink, f: ReplayFilter): Promise<{ id: number; outcome: IngestOutcome }[]> {
  const { rows } = await pool.query<{
    id: number;
    transport: TransportName;
    raw: string;
    raw_encoding: 'utf8' | 'base64';
    raw_truncated: boolean;
    raw_bytes: number | null;
    raw_sha256: string | null;
    authenticated_device_id: string | null;
    topic: string | null;
  }>(sql.select, [f.transport ?? null, f.code ?? null, f.deviceId ?? null, f.from ?? null, f.to ?? null, f.includeReplayed, f.ids ?? null, f.limit]);
  if (!rows.length) return [];
  const receivedAt = Date.now();
  const whole = rows.filter((r) => !r.raw_truncated);
  const submitted = await sink.submit(
    whole.map((r) => ({
      transport: r.transport,
      payload: r.raw_encoding === 'base64' ? Buffer.from(r.raw, 'base64') : r.raw,
      ...(r.topic !== null ? { topic: r.topic } : {}),
      ...(r.authenticated_device_id !== null ? { authenticatedDeviceId: r.authenticated_device_id } : {}),
      receivedAt,
    })),
  );
  const byId = new Map(whole.map((r, i) => [r.id, submitted[i]!]));
  const outcomes = rows.map(
    (r): IngestOutcome =>
      byId.get(r.id) ?? {
        status: 'rejected',
        code: 'GW_INGEST_TOO_LARGE',
        reason: `only the first bytes of this ${r.raw_bytes}-byte payload (sha256 ${r.raw_sha256}) are kept; it cannot be replayed`,
      },
  );
  await pool.query(sql.record, [rows.map((r) => r.id), outcomes.map(describeOutcome)]);
  return rows.map((r, i) => ({ id: r.id, outcome: outcomes[i]! }));
}
