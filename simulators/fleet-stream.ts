import gcoordModule from 'gcoord';
import type { Crs } from '../core/crs.js';
import type { DeviceEventWire } from '../ingest/device-event.js';
import { createRng, type Rng } from '../geo/demo/prng.js';
import type { DevicePlan } from './fleet-plan.js';
import { scenarioFor, type Episodes } from './scenarios.js';

// gcoord's CommonJS export is the API object (see core/crs.ts).
const gcoord = gcoordModule as unknown as typeof gcoordModule.default;

/** The rules a run can make devices break, each with a per-device probability (`--violations`). */
export const VIOLATION_RULES = ['dumping', 'uncovered', 'leak', 'tamper', 'silent', 'bridge', 'overstay', 'low-confidence'] as const;
export type ViolationRule = (typeof VIOLATION_RULES)[number];
export type ViolationRates = Record<ViolationRule, number>;

/** Default shares: a city where most devices behave and some break each rule. */
export const DEFAULT_VIOLATIONS: ViolationRates = {
  dumping: 0.2,
  uncovered: 0.2,
  leak: 0.1,
  tamper: 0.05,
  silent: 0.05,
  bridge: 0.3,
  overstay: 0.3,
  'low-confidence': 0.1,
};

/** Draws the episodes one device plays from the per-rule rates (seeded: the same seed gives the same fleet behaviour). */
function drawEpisodes(plan: Pick<DevicePlan, 'kind'>, rates: ViolationRates, rng: Rng): Episodes {
  const hit = (rule: ViolationRule) => rng.next() < rates[rule];
  switch (plan.kind) {
    case 'waste-truck': {
      const dumping = hit('dumping');
      return { dumping, uncovered: !dumping && hit('uncovered') };
    }
    case 'gas-sensor':
      return { leak: hit('leak'), tamper: hit('tamper'), silent: hit('silent') };
    case 'bridge-sensor':
      return { sustained: hit('bridge') };
    case 'parking-camera':
      return { overstay: rates.overstay, lowConfidence: rates['low-confidence'] };
  }
}

/** What each device of a fleet does (episodes) and the CRS it reports in, drawn from the seed. */
export function fleetBehaviour(plans: readonly DevicePlan[], seed: string, rates: ViolationRates, offsetCrsShare: number): { episodes: Episodes; crs: Crs }[] {
  const rng = createRng(seed);
  return plans.map((plan) => {
    const r = rng.fork(plan.deviceId);
    const episodes = drawEpisodes(plan, rates, r);
    const c = r.next();
    return { episodes, crs: c < offsetCrsShare / 2 ? 'gcj02' : c < offsetCrsShare ? 'bd09' : 'wgs84' };
  });
}

/** The scripted violations each device plays in a run, by rule name (cameras: their overstay and low-confidence shares when above 0). */
export function violationsOf(plans: readonly DevicePlan[], seed: string, rates: ViolationRates): Record<string, ViolationRule[]> {
  const behaviour = fleetBehaviour(plans, seed, rates, 0);
  return Object.fromEntries(
    plans.map((p, i) => {
      const e = behaviour[i]!.episodes;
      const rules: ViolationRule[] = [];
      if (e.dumping) rules.push('dumping');
      if (e.uncovered) rules.push('uncovered');
      if (e.leak) rules.push('leak');
      if (e.tamper) rules.push('tamper');
      if (e.silent) rules.push('silent');
      if (e.sustained) rules.push('bridge');
      if (e.overstay) rules.push('overstay');
      if (e.lowConfidence) rules.push('low-confidence');
      return [p.deviceId, rules];
    }),
  );
}

/** WGS84 → the device's own CRS, as Chinese devices report GCJ-02 (Amap) or BD-09 (Baidu). */
function toDeviceCrs(e: DeviceEventWire, crs: Crs): DeviceEventWire {
  if (crs === 'wgs84') return e;
  const to = crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09;
  const [lon, lat] = gcoord.transform([e.position.lon, e.position.lat], gcoord.WGS84, to) as [number, number];
  return { ...e, position: { ...e.position, lon, lat, crs } };
}

/** How a fleet's event stream is made. */
export interface FleetStreamOptions {
  /** Seeds the episodes, the noise and the CRS choice. */
  seed: string;
  /** Simulated time of the first tick (ms since epoch). */
  start: number;
  /** Prefix of every eventId, so two runs of one seed against one service are not duplicates. */
  runId: string;
  violations: ViolationRates;
  /** Share of devices that report in GCJ-02 or BD-09 (half each). */
  offsetCrsShare: number;
  /** Simulated clock step (ms); every device's scenario is asked once per step. */
  tickMs?: number;
  /** Simulated time at which the stream ends (exclusive); endless without it. */
  end?: number;
}

/** One generated event and the simulated time it belongs to. */
export interface SimEvent {
  simTs: number;
  event: DeviceEventWire;
}

/**
 * The fleet's events in simulated-time order, endless (pure apart from its own state: the same
 * plans and options give the same sequence). Each device plays its scenario (simulators/
 * scenarios.ts) with episodes drawn from the violation rates. Endless unless `end` is set.
 */
export function* fleetEvents(plans: readonly DevicePlan[], opts: FleetStreamOptions): Generator<SimEvent> {
  const behaviour = fleetBehaviour(plans, opts.seed, opts.violations, opts.offsetCrsShare);
  const perKind = new Map<string, number>();
  const devices = plans.map((plan, i) => {
    const index = perKind.get(plan.kind) ?? 0;
    perKind.set(plan.kind, index + 1);
    const { episodes, crs } = behaviour[i]!;
    return { crs, scenario: scenarioFor(plan, index, opts.start, opts.runId, episodes, opts.seed) };
  });
  const tick = opts.tickMs ?? 1000;
  for (let now = opts.start; opts.end === undefined || now < opts.end; now += tick) {
    for (const d of devices) for (const event of d.scenario(now)) yield { simTs: now, event: toDeviceCrs(event, d.crs) };
  }
}

/** Events per simulated second the fleet produces on its own, measured over its first ten minutes. */
export function naturalRate(plans: readonly DevicePlan[], opts: FleetStreamOptions): number {
  const spanMs = 600_000;
  let n = 0;
  for (const _ of fleetEvents(plans, { ...opts, end: opts.start + spanMs })) n++;
  return Math.max(n / (spanMs / 1000), 0.001);
}
