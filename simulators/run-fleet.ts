import { setTimeout as sleep } from 'node:timers/promises';
import type { DeviceEventWire } from '../ingest/device-event.js';
import { expectedOutcomes, withChaos, type ChaosShares, type Expectation, type Outgoing } from './chaos.js';
import type { DevicePlan } from './fleet-plan.js';
import { fleetEvents, naturalRate, violationsOf, type ViolationRates } from './fleet-stream.js';
import { recorder, type Recorded } from './recording.js';
import type { Sender, SendResult } from './senders.js';
import { countsSince, readServiceCounts, totalOf, type ServiceCounts } from './service-counts.js';
import { snapshotJpeg } from './snapshot.js';

/** What one run sends and how. */
export interface RunOptions {
  transport: 'mqtt' | 'kafka' | 'http';
  /** The Gridwatch HTTP base URL, for its own counts (`/metrics`); optional for a bare broker. */
  url?: string;
  /** The service's OPS_TOKEN, when it has one: /metrics needs it. */
  opsToken?: string;
  sender: Sender;
  /** Live generation: the fleet, its seed, and how fast; absent when `replay` is given. */
  live?: {
    plans: readonly DevicePlan[];
    seed: string;
    runId: string;
    violations: ViolationRates;
    chaos: ChaosShares | null;
    offsetCrsShare: number;
    /** Attach a real JPEG snapshot to parking-camera 'enter' events. */
    images: boolean;
    /** Events per second in total; default: what the fleet produces at `speed`. */
    rate?: number;
    speed: number;
    durationS: number;
  };
  /** A recording already rewritten for now (simulators/recording.ts), sent `at`/speed apart. */
  replay?: { records: readonly Recorded[]; speed: number };
  /** Most messages awaiting their acknowledgement at once. */
  window: number;
  record?: string;
  /** Called about once a second with the live progress line. */
  progress?: (line: string) => void;
  /** How long to wait for the last acknowledgements and the service's counts. */
  drainTimeoutMs?: number;
}

/** The end-of-run summary (`--json FILE` writes it). */
export interface RunSummary {
  transport: string;
  seconds: number;
  sent: number;
  /** Acknowledged as stored (MQTT PUBACK, Kafka delivery report), outcome known only to the service. */
  acked: number;
  accepted: number;
  duplicate: number;
  rejected: Record<string, number>;
  refused: number;
  unaccounted: number;
  rate: number;
  errors: string[];
  /** What the messages were meant to become (chaos included). */
  expected: { accepted: number; duplicate: number; rejected: Record<string, number> };
  /** Messages by chaos kind. */
  chaos: Record<string, number>;
  /** Live runs: the scripted violations each device played (rules from `--violations`). */
  violations: Record<string, string[]>;
  /** Live runs: the simulated span (ms) the events cover, ending when the run started. */
  simulatedMs: number;
  /** The service's own counts for this transport during the run, when /metrics was readable. */
  service: ServiceCounts | null;
  /**
   * Seconds from the first message until the service had counted everything acknowledged, or
   * null when it had not by the drain deadline (or /metrics was unreadable). Kafka acknowledges
   * on delivery to the broker, before the service consumes: `sent / serviceSeconds` is the rate
   * the service kept up with, where `rate` is only the producer's.
   */
  serviceSeconds: number | null;
  /** CPU seconds this simulator process used (user + system), for benchmarks. */
  cpuSeconds: number;
  /** Every message's outcome matches its expectation (HTTP per message; MQTT/Kafka by the service's counts). */
  matchesExpected: boolean | null;
}

/** Camera 'enter' events carry a snapshot, as cameras upload one per capture. */
async function withSnapshot(msg: Outgoing, cache: Map<string, string>): Promise<Outgoing> {
  if (msg.kind !== 'parking-camera' || msg.chaos || msg.expect.status !== 'accepted') return msg;
  const e = JSON.parse(msg.payload) as Extract<DeviceEventWire, { kind: 'parking-camera' }>;
  if (e.event !== 'enter') return msg;
  let b64 = cache.get(e.plate);
  if (!b64) cache.set(e.plate, (b64 = (await snapshotJpeg(e.plate, e.ts)).toString('base64')));
  return { ...msg, payload: JSON.stringify({ ...e, image: { base64: b64, mime: 'image/jpeg' } }) };
}

const sameOutcome = (e: Expectation, r: SendResult) => e.status === r.status && (e.status !== 'rejected' || (r.status === 'rejected' && r.code === e.code));

function sameCounts(e: RunSummary['expected'], s: ServiceCounts): boolean {
  const codes = new Set([...Object.keys(e.rejected), ...Object.keys(s.deadLetters)]);
  return e.accepted === s.accepted && e.duplicate === s.duplicate && [...codes].every((c) => (e.rejected[c] ?? 0) === (s.deadLetters[c] ?? 0));
}

/**
 * Runs a fleet (or replays a recording) through one sender: paces the messages, keeps at most
 * `window` unacknowledged, accounts for each one (acked, accepted, duplicate, rejected with its
 * code, or refused), and compares with the service's own counts when its /metrics is readable.
 */
export async function runFleet(opts: RunOptions): Promise<RunSummary> {
  let source: Iterable<Outgoing & { at?: number }>;
  let rate = Infinity;
  let durationMs = Infinity;
  let span = 0;
  let replaySpeed = 1;
  const started = Date.now();
  if (opts.live) {
    const l = opts.live;
    const base = { seed: l.seed, runId: l.runId, violations: l.violations, offsetCrsShare: l.offsetCrsShare, start: 0 };
    const natural = naturalRate(l.plans, base);
    rate = l.rate ?? natural * l.speed;
    durationMs = l.durationS * 1000;
    // Simulated time runs `rate / natural` times faster than the clock and ends now, so no event is stamped ahead.
    span = (durationMs * rate) / natural;
    const events = fleetEvents(l.plans, { ...base, start: started - span, end: started });
    source = withChaos((function* () { for (const e of events) yield e.event; })(), l.chaos ?? { malformed: 0, duplicate: 0, 'out-of-order': 0, late: 0, future: 0, 'bad-image': 0 }, l.seed);
  } else if (opts.replay) {
    source = opts.replay.records;
    replaySpeed = opts.replay.speed;
  } else throw new Error('runFleet needs live options or a recording to replay');

  const s: RunSummary = {
    transport: opts.transport,
    seconds: 0,
    sent: 0,
    acked: 0,
    accepted: 0,
    duplicate: 0,
    rejected: {},
    refused: 0,
    unaccounted: 0,
    rate: 0,
    errors: [],
    expected: { accepted: 0, duplicate: 0, rejected: {} },
    chaos: {},
    violations: opts.live ? violationsOf(opts.live.plans, opts.live.seed, opts.live.violations) : {},
    simulatedMs: 0,
    cpuSeconds: 0,
    service: null,
    serviceSeconds: null,
    matchesExpected: null,
  };
  const before = opts.url ? await readServiceCounts(opts.url, opts.transport, opts.opsToken) : null;
  const rec = opts.record ? recorder(opts.record) : null;
  const snapshots = new Map<string, string>();
  const sentMsgs: Pick<Outgoing, 'expect'>[] = [];
  let inFlight = 0;
  let settled: (() => void) | null = null;
  let mismatched = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let lastSent = 0;
  let lastAt = t0;
  const tick = setInterval(() => {
    const now = performance.now();
    const current = ((s.sent - lastSent) * 1000) / (now - lastAt);
    lastSent = s.sent;
    lastAt = now;
    const refusedBy = s.refused ? `  (${s.errors.at(-1)})` : '';
    opts.progress?.(`sent ${s.sent}  acked ${s.acked + s.accepted + s.duplicate + sum(s.rejected)}  refused ${s.refused}  ${Math.round(current)}/s  errors ${s.errors.length}${refusedBy}`);
  }, 1000);
  const account = (msg: Outgoing, r: SendResult) => {
    inFlight--;
    if (r.status === 'refused') {
      s.refused++;
      if (s.errors.length < 20) s.errors.push(r.error);
    } else if (r.status === 'rejected') s.rejected[r.code] = (s.rejected[r.code] ?? 0) + 1;
    else s[r.status]++;
    if (r.status !== 'acked' && r.status !== 'refused' && !sameOutcome(msg.expect, r)) mismatched++;
    settled?.();
  };

  try {
    for (const raw of source) {
      const elapsed = performance.now() - t0;
      if (elapsed >= durationMs) break;
      const dueMs = raw.at !== undefined ? raw.at / replaySpeed : (s.sent * 1000) / rate;
      if (dueMs > elapsed + 2) await sleep(Math.min(dueMs - elapsed, durationMs - elapsed));
      else if (s.sent % 256 === 0) await new Promise((r) => setImmediate(r));
      while (inFlight >= opts.window) await new Promise<void>((r) => (settled = r));
      settled = null;
      const msg = opts.live?.images ? await withSnapshot(raw, snapshots) : raw;
      s.sent++;
      sentMsgs.push(msg);
      if (msg.chaos) s.chaos[msg.chaos] = (s.chaos[msg.chaos] ?? 0) + 1;
      rec?.write({ at: Math.round(performance.now() - t0), deviceId: msg.deviceId, kind: msg.kind, payload: msg.payload, expect: msg.expect, ...(msg.chaos ? { chaos: msg.chaos } : {}) });
      inFlight++;
      void opts.sender.send(msg).then((r) => account(msg, r));
    }
    const drainBy = Date.now() + (opts.drainTimeoutMs ?? 60_000);
    while (inFlight > 0 && Date.now() < drainBy) await new Promise<void>((r) => ((settled = r), setTimeout(r, 200)));
  } finally {
    clearInterval(tick);
    await rec?.close();
  }
  s.seconds = (performance.now() - t0) / 1000;
  s.simulatedMs = Math.round(span);
  const cpu = process.cpuUsage(cpu0);
  s.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  s.rate = Math.round(s.sent / s.seconds);
  s.expected = expectedOutcomes(sentMsgs);
  const known = s.acked + s.accepted + s.duplicate + sum(s.rejected) + s.refused;
  s.unaccounted = s.sent - known;

  if (opts.url && before) {
    // Kafka is consumed after delivery: wait for the service to have counted everything it acknowledged.
    const stored = s.acked + s.accepted + s.duplicate + sum(s.rejected);
    const waitUntil = Date.now() + (opts.drainTimeoutMs ?? 60_000);
    // A read that fails (a busy service, a reset connection) is retried until the deadline: one
    // failed scrape must not end the check with no counts.
    for (;;) {
      const after = await readServiceCounts(opts.url, opts.transport, opts.opsToken);
      if (after) s.service = countsSince(before, after);
      if (s.service && totalOf(s.service) >= stored) {
        s.serviceSeconds = (performance.now() - t0) / 1000;
        break;
      }
      if (Date.now() > waitUntil) break;
      await sleep(250);
    }
    if (s.service) s.unaccounted += Math.max(0, stored - totalOf(s.service));
  }
  if (opts.transport === 'http') s.matchesExpected = mismatched === 0 && s.refused === 0 && s.unaccounted === 0;
  else if (s.service) s.matchesExpected = s.refused === 0 && sameCounts(s.expected, s.service);
  return s;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
