import fs from 'node:fs';
import { z } from 'zod';
import { DEVICE_KINDS } from '../ingest/device-event.js';
import type { Outgoing } from './chaos.js';

/** One recorded message: when it was sent (ms after the run started) and exactly what. */
export interface Recorded extends Outgoing {
  at: number;
}

const expectSchema = z.union([
  z.object({ status: z.enum(['accepted', 'duplicate']) }),
  z.object({ status: z.literal('rejected'), code: z.string() }),
]);
const lineSchema = z.object({
  at: z.number().nonnegative(),
  deviceId: z.string().min(1),
  kind: z.enum(DEVICE_KINDS),
  payload: z.string(),
  expect: expectSchema,
  chaos: z.string().optional(),
});

/** Appends a run's messages to an NDJSON file, one per line, as they are sent. */
export function recorder(file: string): { write(r: Recorded): void; close(): Promise<void> } {
  const out = fs.createWriteStream(file, { flags: 'w' });
  return {
    write: (r) => void out.write(`${JSON.stringify(r)}\n`),
    close: () => new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}

/** Reads a recording; a line that is not a recorded message is an error naming the line. */
export function readRecording(file: string): Recorded[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      if (!line.trim()) return [];
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${i + 1}: not JSON`);
      }
      const r = lineSchema.safeParse(json);
      if (!r.success) throw new Error(`${file}:${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
      return [r.data as Recorded];
    });
}

const tsOf = (payload: string): number | null => {
  try {
    const ts = (JSON.parse(payload) as { ts?: unknown }).ts;
    return typeof ts === 'string' && Number.isFinite(Date.parse(ts)) ? Date.parse(ts) : null;
  } catch {
    return null;
  }
};

/**
 * Rewrites a recording for a replay now (pure): every timestamp moves by one offset, chosen so
 * the latest ordinary event (not one chaos stamped ahead or behind) is stamped `now`, keeping
 * every interval as recorded; eventIds get `@tag`, so each replay is new to the service rather
 * than a run of duplicates. Payloads that are not JSON are replayed byte for byte.
 */
export function rewriteForReplay(records: readonly Recorded[], now: number, tag: string): Recorded[] {
  const latest = Math.max(...records.filter((r) => !r.chaos || r.chaos === 'duplicate' || r.chaos === 'out-of-order').map((r) => tsOf(r.payload) ?? -Infinity));
  const shift = Number.isFinite(latest) ? now - latest : 0;
  return records.map((r) => {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(r.payload) as Record<string, unknown>;
    } catch {
      return r;
    }
    if (json === null || typeof json !== 'object') return r;
    const ts = tsOf(r.payload);
    const next = { ...json, ...(typeof json.eventId === 'string' ? { eventId: `${json.eventId}@${tag}` } : {}), ...(ts !== null ? { ts: new Date(ts + shift).toISOString() } : {}) };
    return { ...r, payload: JSON.stringify(next) };
  });
}
