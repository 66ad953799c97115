import type { DeviceEventWire, DeviceKind } from '../ingest/device-event.js';
import { createRng } from '../geo/demo/prng.js';

/** What a message is expected to become at the service (the ingest outcome, with its dead-letter code). */
export type Expectation = { status: 'accepted' } | { status: 'duplicate' } | { status: 'rejected'; code: string };

/** The kinds of deliberate trouble `--chaos` mixes into a run. */
export const CHAOS_KINDS = ['malformed', 'duplicate', 'out-of-order', 'late', 'future', 'bad-image'] as const;
export type ChaosKind = (typeof CHAOS_KINDS)[number];
export type ChaosShares = Record<ChaosKind, number>;

/** `--chaos` without shares: a few percent of each. */
export const DEFAULT_CHAOS: ChaosShares = { malformed: 0.02, duplicate: 0.02, 'out-of-order': 0.02, late: 0.01, future: 0.01, 'bad-image': 0.01 };

/** One message as a transport sends it: the device it comes from, the exact payload and what it should become. */
export interface Outgoing {
  deviceId: string;
  kind: DeviceKind;
  payload: string;
  expect: Expectation;
  /** Set on the messages chaos made or changed. */
  chaos?: ChaosKind;
}

const DAY_MS = 86_400_000;
const NOT_AN_IMAGE = Buffer.from('this is a camera log line, not a JPEG snapshot at all').toString('base64');

/**
 * Whether changing this event's time or order can change what the detectors decide: chaos that
 * reaches the detectors (late, out of order) only touches quiet events, so every deliberate
 * violation still raises its clue and no negative case raises one.
 */
function quiet(e: DeviceEventWire): boolean {
  switch (e.kind) {
    case 'waste-truck':
      return e.body === 'down' && (e.covered || !e.loaded);
    case 'gas-sensor':
      return (e.lelPct ?? 0) < 5 && !e.tamper;
    case 'bridge-sensor':
      return (e.strainUe ?? 0) < 140;
    case 'parking-camera':
      return false;
  }
}

const shifted = (e: DeviceEventWire, ms: number, suffix: string): DeviceEventWire => ({
  ...e,
  eventId: `${e.eventId}~${suffix}`,
  ts: new Date(Date.parse(e.ts) + ms).toISOString(),
});

/** The three malformed variants, by the dead-letter code each must become. */
function malformed(e: DeviceEventWire, variant: number): { payload: string; code: string } {
  const id = `${e.eventId}~bad`;
  if (variant === 0) return { payload: `${JSON.stringify({ ...e, eventId: id }).slice(0, -7)}`, code: 'GW_INGEST_BAD_JSON' };
  if (variant === 1) {
    const { ts: _drop, ...rest } = e;
    return { payload: JSON.stringify({ ...rest, eventId: id }), code: 'GW_INGEST_SCHEMA' };
  }
  return { payload: JSON.stringify({ ...e, eventId: id, kind: 'toaster' }), code: 'GW_INGEST_UNKNOWN_KIND' };
}

/**
 * The chaos layer (pure over the stream, seeded): passes every generated event through, and for a
 * share of them adds trouble. Malformed copies (bad JSON, a missing field, an unknown kind), events
 * stamped a year ahead and snapshots that are not images are extra messages that must become dead
 * letters with their code; duplicates resend an event a few messages later; late events are extra
 * copies stamped two days back (kept, flagged stale); out-of-order events are held back behind the
 * next few. Every message says what it should become, so a run can be checked exactly.
 */
export function* withChaos(events: Iterable<DeviceEventWire>, shares: ChaosShares, seed: string): Generator<Outgoing> {
  const rng = createRng(`${seed}/chaos`);
  const held: { due: number; msg: Outgoing }[] = [];
  let n = 0;
  const out = (e: DeviceEventWire, expect: Expectation, chaos?: ChaosKind, payload = JSON.stringify(e)): Outgoing => ({
    deviceId: e.deviceId,
    kind: e.kind,
    payload,
    expect,
    ...(chaos ? { chaos } : {}),
  });
  function* release(): Generator<Outgoing> {
    for (let i = 0; i < held.length; ) {
      if (held[i]!.due <= n) yield held.splice(i, 1)[0]!.msg;
      else i++;
    }
  }
  for (const e of events) {
    n++;
    const r = rng.next();
    let acc = 0;
    const pick = CHAOS_KINDS.find((k) => r < (acc += shares[k]));
    const accepted: Expectation = { status: 'accepted' };
    if (pick === 'out-of-order' && quiet(e)) held.push({ due: n + rng.int(1, 3), msg: out(e, accepted, 'out-of-order') });
    else yield out(e, accepted);
    yield* release();
    switch (pick) {
      case 'malformed': {
        const m = malformed(e, rng.int(0, 2));
        yield out(e, { status: 'rejected', code: m.code }, 'malformed', m.payload);
        break;
      }
      case 'duplicate':
        held.push({ due: n + rng.int(1, 3), msg: out(e, { status: 'duplicate' }, 'duplicate') });
        break;
      case 'late':
        if (quiet(e)) yield out(shifted(e, -2 * DAY_MS, 'late'), accepted, 'late');
        break;
      case 'future':
        yield out(shifted(e, 365 * DAY_MS, 'future'), { status: 'rejected', code: 'GW_INGEST_FUTURE_TS' }, 'future');
        break;
      case 'bad-image':
        yield out({ ...e, eventId: `${e.eventId}~img`, image: { base64: NOT_AN_IMAGE, mime: 'image/jpeg' } }, { status: 'rejected', code: 'GW_INGEST_BAD_IMAGE' }, 'bad-image');
        break;
      default:
    }
  }
  yield* held.splice(0).map((h) => h.msg);
}

/** Counts of what a list of messages should become: accepted, duplicate, and dead letters by code. */
export function expectedOutcomes(msgs: Iterable<Pick<Outgoing, 'expect'>>): { accepted: number; duplicate: number; rejected: Record<string, number> } {
  const r = { accepted: 0, duplicate: 0, rejected: {} as Record<string, number> };
  for (const { expect } of msgs) {
    if (expect.status === 'rejected') r.rejected[expect.code] = (r.rejected[expect.code] ?? 0) + 1;
    else r[expect.status]++;
  }
  return r;
}
