/**
 * Builds the shipped recording `simulators/scenarios/every-rule.ndjson` (pure; a test checks the
 * file is what this builds): a short scripted scene in the demo city, with the demo devices where
 * the demo registers them, that exercises every detector rule once and the negative cases.
 *
 * Positive: truck-001 dumps off its route; truck-002 drives loaded and uncovered; truck-003 leaves
 * its corridor (the service registers every demo truck's permit corridor in demo mode, with or
 * without the simulators); truck-005 drives outside its permitted hours (the replaying test registers hours
 * that exclude the replay time: time of day cannot be recorded); gas-001 leaks, low then high;
 * gas-002 reports tamper; gas-003 goes silent (offline); bridge-001 is loaded past yellow for 90 s;
 * camera-001 (road) and camera-002 (pavement) see cars overstay; camera-003 reads an overstaying
 * plate too poorly to act on (a review clue).
 * Negative: truck-004 jitters across its corridor's edge, 90 m out and back (under the 200 m grace);
 * bridge-002 shows a one-sample spike past red; camera-004 sees a car leave before the limit.
 * Not exercised: waste.restricted-zone (the demo's restricted zones are school zones active on
 * weekday mornings and afternoons only, so no recording can raise it at any replay time).
 */
import { along, bearing, booleanPointInPolygon, destination, length, lineString, point, pointToLineDistance } from '@turf/turf';
import type { FeatureCollection, Geometry, Polygon } from 'geojson';
import { DEMO_FLEET } from '../../ingest/demo-devices.js';
import type { DeviceEventWire } from '../../ingest/device-event.js';
import type { Recorded } from '../../simulators/recording.js';
import { planDemoFleet, type DevicePlan } from '../../simulators/fleet-plan.js';

/** Any fixed start: replay moves every timestamp to now. */
const T0 = Date.parse('2026-01-05T02:00:00.000Z');

/** What the scene must raise, per device: alert type and how many alerts the clue gathers. */
export const EVERY_RULE_EXPECTED: Record<string, { alertType: string; alertCount: number; review?: boolean }> = {
  'truck-001': { alertType: 'waste.dumping-outside-site', alertCount: 1 },
  'truck-002': { alertType: 'waste.uncovered-load', alertCount: 1 },
  'truck-003': { alertType: 'waste.off-corridor', alertCount: 1 },
  'truck-005': { alertType: 'waste.outside-hours', alertCount: 1 },
  'gas-001': { alertType: 'gas.leak', alertCount: 2 },
  'gas-002': { alertType: 'gas.tamper', alertCount: 1 },
  'gas-003': { alertType: 'gas.device-offline', alertCount: 1 },
  'bridge-001': { alertType: 'bridge.structural-alarm', alertCount: 1 },
  'camera-001': { alertType: 'parking.no-parking-road', alertCount: 1 },
  'camera-002': { alertType: 'parking.no-parking-pavement', alertCount: 1 },
  'camera-003': { alertType: 'parking.no-parking-road', alertCount: 1, review: true },
};
/** Devices in the scene that must raise nothing. */
export const EVERY_RULE_QUIET = ['truck-004', 'bridge-002', 'camera-004'];

type P = [number, number];

/** The scene's messages, in time order, as a recording. */
export function buildEveryRuleScenario(zones: FeatureCollection<Geometry>): Recorded[] {
  const devices = DEMO_FLEET.flatMap(({ prefix, kind, count }) => Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${String(i + 1).padStart(3, '0')}`, kind })));
  const plans = new Map(planDemoFleet(devices, zones).map((p) => [p.deviceId, p]));
  const plan = (id: string): DevicePlan => plans.get(id)!;
  const restricted = zones.features.filter((f) => f.properties?.type === 'restricted') as unknown as { geometry: Polygon }[];
  const checkFree = (p: P, what: string) => {
    if (restricted.some((z) => booleanPointInPolygon(point(p), z.geometry))) throw new Error(`${what} lies in a restricted zone`);
    return p;
  };
  const events: DeviceEventWire[] = [];
  const env = (id: string, s: number, p: P, n: number) => ({
    eventId: `every-rule-${id}-${n}`,
    deviceId: id,
    ts: new Date(T0 + s * 1000).toISOString(),
    position: { lon: +p[0].toFixed(7), lat: +p[1].toFixed(7), crs: 'wgs84' as const, accuracyM: 8 },
  });
  const onRoute = (id: string, km: number): P => {
    const route = lineString(plan(id).route!);
    return checkFree(along(route, Math.min(km, length(route))).geometry.coordinates as P, `${id} at ${km} km`);
  };
  const truck = (id: string, s: number, p: P, n: number, o: { speedKmh?: number; covered?: boolean; body?: 'down' | 'raised' } = {}) =>
    events.push({ ...env(id, s, p, n), kind: 'waste-truck', speedKmh: o.speedKmh ?? 30, headingDeg: 90, loaded: true, covered: o.covered ?? true, body: o.body ?? 'down' });

  // truck-001: drives, stops 450 m off the route and tips for 40 s, drives back: dumping, and too short to count as leaving the corridor.
  for (let i = 0; i < 3; i++) truck('truck-001', i * 10, onRoute('truck-001', 0.1 + i * 0.08), i);
  const dump = checkFree(plan('truck-001').dumpAt!, 'the dumping spot');
  for (let i = 0; i < 6; i++) truck('truck-001', 30 + i * 10, dump, 3 + i, { speedKmh: 0, body: i >= 1 && i <= 4 ? 'raised' : 'down' });
  for (let i = 0; i < 3; i++) truck('truck-001', 90 + i * 10, onRoute('truck-001', 0.3 + i * 0.08), 9 + i);

  // truck-002: loaded with the tarp off, moving along its route for 150 s.
  for (let i = 0; i < 16; i++) truck('truck-002', i * 10, onRoute('truck-002', 0.1 + i * 0.08), i, { covered: false });

  // truck-003: leaves its route sideways, 300 to 480 m away, for 3 minutes.
  const exit = onRoute('truck-003', 0.5);
  for (let i = 0; i < 3; i++) truck('truck-003', i * 10, onRoute('truck-003', 0.3 + i * 0.1), i);
  const side = bearing(point(exit), point(onRoute('truck-003', 0.51))) + 90;
  for (let i = 0; i < 19; i++) {
    const p = checkFree(destination(exit, 0.3 + i * 0.01, side).geometry.coordinates as P, 'truck-003 off its route');
    if (pointToLineDistance(point(p), lineString(plan('truck-003').route!), { units: 'meters' }) < 250) throw new Error('truck-003 must be well off its corridor');
    truck('truck-003', 30 + i * 10, p, 3 + i);
  }

  // truck-004: GPS jitter at the corridor's edge: every other fix 90 m out (buffer 60 m, grace 200 m), for 5 minutes.
  for (let i = 0; i < 31; i++) {
    const on = onRoute('truck-004', 0.2 + i * 0.01);
    const heading = bearing(point(on), point(onRoute('truck-004', 0.21 + i * 0.01)));
    const out = checkFree(destination(on, 0.09, heading + (i % 4 === 1 ? 90 : -90)).geometry.coordinates as P, 'truck-004 jitter');
    truck('truck-004', i * 10, i % 2 ? out : on, i);
  }

  // truck-005: drives its route for 200 s; the replaying test registers hours that exclude now.
  for (let i = 0; i < 21; i++) truck('truck-005', i * 10, onRoute('truck-005', 0.1 + i * 0.08), i);

  // gas-001: a leak, 2 → 30 %LEL over a minute: low at 12, high at 30 (one clue, two alerts).
  [2, 6, 12, 18, 30, 31].forEach((lelPct, i) => events.push({ ...env('gas-001', i * 10, plan('gas-001').home, i), kind: 'gas-sensor', lelPct, batteryPct: 80, tamper: false }));
  // gas-002: quiet, then someone opens the case.
  [false, false, true, false].forEach((tamper, i) => events.push({ ...env('gas-002', i * 10, plan('gas-002').home, i), kind: 'gas-sensor', lelPct: 1.2, batteryPct: 80, tamper }));
  // gas-003: three quiet reports, then nothing (the test registers a 60 s interval: offline after 2 minutes).
  [0, 1, 2].forEach((i) => events.push({ ...env('gas-003', i * 10, plan('gas-003').home, i), kind: 'gas-sensor', lelPct: 0.8, batteryPct: 80, tamper: false }));

  // bridge-001: strain past yellow (150 µε) for 90 s: one yellow clue. bridge-002: one sample past red, then normal: nothing.
  const bridge = (id: string, s: number, strainUe: number, n: number) =>
    events.push({ ...env(id, s, plan(id).home, n), kind: 'bridge-sensor', bridgeId: plan(id).zoneCode!, strainUe, displacementMm: 6 });
  for (let i = 0; i < 24; i++) bridge('bridge-001', i * 5, i < 4 ? 80 : 185 + (i % 3) * 5, i);
  for (let i = 0; i < 24; i++) bridge('bridge-002', i * 5, i === 6 ? 420 : 80 + (i % 3) * 5, i);

  // Cameras: a car that overstays the zone's limit by a minute (road 300 s, pavement 600 s), one read poorly, one that leaves in time.
  const camera = (id: string, plate: string, stayS: number, confidence: number) => {
    const p = plan(id);
    const stops = [...Array.from({ length: Math.floor(stayS / 60) + 1 }, (_, i) => i * 60)];
    stops.forEach((s, i) =>
      events.push({ ...env(id, s, p.home, i), kind: 'parking-camera', plate, zoneId: p.zoneCode!, event: i === 0 ? 'enter' : 'present', confidence }),
    );
  };
  camera('camera-001', '浙B5A001', plan('camera-001').dwellLimitS! + 60, 0.93);
  camera('camera-002', '浙B5A002', plan('camera-002').dwellLimitS! + 60, 0.91);
  camera('camera-003', '浙B5A003', plan('camera-003').dwellLimitS! + 60, 0.4);
  camera('camera-004', '浙B5A004', plan('camera-004').dwellLimitS! - 120, 0.95);
  const last = events.filter((e) => e.deviceId === 'camera-004').length;
  events.push({ ...env('camera-004', plan('camera-004').dwellLimitS! - 60, plan('camera-004').home, last), kind: 'parking-camera', plate: '浙B5A004', zoneId: plan('camera-004').zoneCode!, event: 'leave', confidence: 0.95 });

  // Sent in time order, 20 ms apart: the replay of a 12-minute scene takes a few seconds.
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Date.parse(a.e.ts) - Date.parse(b.e.ts) || a.i - b.i)
    .map(({ e }, i) => ({ at: i * 20, deviceId: e.deviceId, kind: e.kind, payload: JSON.stringify(e), expect: { status: 'accepted' } }));
}
