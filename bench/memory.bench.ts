/**
 * Memory per 10,000 devices of detector state (issue 13). Detector state lives in the database
 * (`detector_states`, one JSON row per state key), and a batch holds in memory only the states
 * of its own keys; so this bench measures what one state costs wherever it is held: the V8 heap
 * of the states of N devices kept in one Map (what a batch, or any cache of them, holds), and
 * their JSON text (what each `detector_states.state` row stores). The states are the real ones:
 * each device gets a realistic run of events through the real `detect` (server/detection), located
 * by the real locator over the mini city of the pipeline tests, with episodes that fill the
 * evidence lists (leaks, strain over a threshold, dumping, long stays). Heap is read with
 * `process.memoryUsage().heapUsed` after a forced full GC, at 10k, 50k and 100k devices of each
 * kind (`--quick`: 1k, 2.5k, 5k: the cost is linear in devices, ~1.4 CPU-s per 1,000), so the table shows whether it grows linearly.
 *
 * Run alone: `npx tsx bench/run.ts memory`. Settings: GW_BENCH_MEMORY_SIZES (comma list of device
 * counts), GW_BENCH_MEMORY_EVENTS (events per device, 20).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { DeviceEvent } from '../ingest/device-event.js';
import type { LocateResult } from '../geo/types.js';
import { DEFAULT_DETECTOR_CONFIG, type DeviceRegistration } from '../server/detection/config.js';
import { detect, stateKey, type DetectorState } from '../server/detection/detect.js';
import { BRIDGE, PAVEMENT, PLACES, miniLocator } from '../test/pipeline/helpers/mini-city.js';
import { T0 } from '../test/pipeline/helpers/events.js';
import { fmt, markdownTable } from './stats.js';
import { loadRemark } from './load-remark.js';

const QUICK = process.env.GW_BENCH_QUICK === '1';
const SIZES = (process.env.GW_BENCH_MEMORY_SIZES ?? (QUICK ? '1000,2500,5000' : '10000,50000,100000')).split(',').map(Number);
const EVENTS = Number(process.env.GW_BENCH_MEMORY_EVENTS ?? 20);

// A forced GC makes heapUsed the live heap, not live plus garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Live heap in bytes after two full collections (the second catches what finalisers freed). */
function liveHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const locator = miniLocator();
/** The locator's answer per place, looked up once: every fix of a place gets the same answer. */
const located = new Map<string, LocateResult>();
function locate(at: { lon: number; lat: number }): LocateResult {
  const k = `${at.lon},${at.lat}`;
  let hit = located.get(k);
  if (!hit) located.set(k, (hit = locator.locate(at.lon, at.lat)));
  return hit;
}

type Kind = DeviceEvent['kind'];
/** The simulator's event ids: a run prefix, the device and a sequence number. */
const eventId = (deviceId: string, j: number) => `r7f3a9c21-${deviceId}-${j}`;
const base = (deviceId: string, j: number, stepS: number, at: { lon: number; lat: number }) => ({
  eventId: eventId(deviceId, j),
  deviceId,
  ts: T0 + j * stepS * 1000,
  receivedAt: T0 + j * stepS * 1000,
  position: { ...at, accuracyM: 5 },
  sourceCrs: 'wgs84' as const,
  flags: [],
});

/** A truck's trail: raised body outside the site (dumping), then uncovered and loaded on the road, then into the site. */
const TRAIL = [PLACES.dumpA, PLACES.dumpA, PLACES.dumpA, PLACES.dumpA, PLACES.dumpB, PLACES.bridge, PLACES.site];

/** Event j of device i of a kind; every 5th device has an episode that raises an alert. */
function event(kind: Kind, i: number, j: number): DeviceEvent {
  const episode = i % 5 === 0 && j >= EVENTS / 3;
  switch (kind) {
    case 'waste-truck': {
      const deviceId = `truck-${i}`;
      const at = TRAIL[j % TRAIL.length]!;
      const dumping = at === PLACES.dumpA;
      return { ...base(deviceId, j, 10, at), kind, speedKmh: dumping ? 0 : 30, headingDeg: 90, loaded: true, covered: !episode, body: dumping ? 'raised' : 'down' };
    }
    case 'gas-sensor': {
      const deviceId = `gas-${i}`;
      return { ...base(deviceId, j, 60, PLACES.gas), kind, lelPct: episode ? 12 + j : 2 + (j % 3), coPpm: null, batteryPct: 80, tamper: false };
    }
    case 'bridge-sensor': {
      const deviceId = `bridge-${i}`;
      return { ...base(deviceId, j, 10, PLACES.bridge), kind, bridgeId: BRIDGE.code, strainUe: episode ? 160 : 60 + (j % 7), displacementMm: 1.2, tiltDeg: 0.1, crackWidthMm: 0.05 };
    }
    case 'parking-camera': {
      // One state per plate in a zone: "device" i is the i-th plate a camera sees.
      // Most plates leave within the limit (a sighting every 15 s); every 5th stays (every 60 s) past it.
      const plate = `浙B${String(i).padStart(5, '0')}`;
      const long = i % 5 === 0;
      const e = { ...base('camera-1', j, long ? 60 : 15, PLACES.pavement), eventId: eventId(`camera-1-${i}`, j) };
      return { ...e, kind, plate, zoneId: PAVEMENT.code, event: j === 0 ? 'enter' : !long && j === EVENTS - 1 ? 'leave' : 'present', confidence: 0.9 };
    }
  }
}

/** Registrations as the pipeline gives them to the detectors. */
function registration(kind: Kind, deviceId: string): DeviceRegistration {
  if (kind === 'gas-sensor') return { deviceId, reportingIntervalS: 60 };
  if (kind === 'bridge-sensor') return { deviceId, bridge: BRIDGE };
  if (kind === 'parking-camera') return { deviceId, noParkingZones: [PAVEMENT] };
  return { deviceId };
}

interface Point {
  devices: number;
  heapBytes: number;
  jsonBytes: number;
  alerts: number;
}

/**
 * Feeds `EVENTS` events per device through `detect`, device after device, keeping each final
 * state in a Map by its real state key; at each size in SIZES the live heap above the empty
 * Map's and the states' JSON size are recorded.
 */
function measureKind(kind: Kind): Point[] {
  let states: Map<string, DetectorState> | null = new Map();
  const points: Point[] = [];
  let alerts = 0;
  let jsonBytes = 0;
  const before = liveHeap();
  const max = Math.max(...SIZES);
  for (let i = 0; i < max; i++) {
    let key = '';
    for (let j = 0; j < EVENTS; j++) {
      const e = event(kind, i, j);
      key = stateKey(e);
      const out = detect(states.get(key), e, locate(e.position), { config: DEFAULT_DETECTOR_CONFIG, device: registration(kind, e.deviceId) });
      states.set(key, out.state);
      alerts += out.alerts.length;
    }
    jsonBytes += Buffer.byteLength(JSON.stringify(states.get(key)));
    if (SIZES.includes(i + 1)) points.push({ devices: i + 1, heapBytes: liveHeap() - before, jsonBytes, alerts });
  }
  if (states.size !== max) throw new Error(`memory bench: ${kind} made ${states.size} state keys for ${max} devices`);
  states = null;
  return points;
}

/** The memory bench's markdown section. */
export default async function memoryBench(): Promise<string> {
  const kinds: Kind[] = ['waste-truck', 'gas-sensor', 'bridge-sensor', 'parking-camera'];
  const rows: string[][] = [];
  for (const kind of kinds) {
    const points = measureKind(kind);
    const first = points[0]!;
    for (const p of points) {
      const per10k = (p.heapBytes / p.devices) * 10_000;
      const firstPer10k = (first.heapBytes / first.devices) * 10_000;
      rows.push([
        kind,
        fmt(p.devices),
        fmt(p.alerts),
        fmt(p.heapBytes / 2 ** 20, 1),
        fmt(per10k / 2 ** 20, 2),
        `×${(per10k / firstPer10k).toFixed(2)}`,
        fmt(((p.jsonBytes / p.devices) * 10_000) / 2 ** 20, 2),
      ]);
    }
  }
  return [
    '## Memory per 10,000 devices of detector state',
    '',
    loadRemark(),
    '',
    `Each device got ${EVENTS} events through the real \`detect\` (every 5th device has an episode that raises alerts and fills its evidence list: dumping and an uncovered load for trucks, a leak for gas sensors, strain over orange for bridges, a stay past the limit for parked plates). ` +
      'A parking state is per plate and zone, so its "devices" are plates a camera sees. Heap is the live heap (after a forced full GC) above that of an empty Map, ' +
      'holding the final state of every device under its real state key; JSON is the text each `detector_states.state` row stores. The "per 10k vs first" column is the per-device heap against that at the smallest size: ×1.00 is linear growth.',
    '',
    markdownTable(
      ['kind', 'devices', 'alerts raised', 'heap (MiB)', 'heap per 10k devices (MiB)', 'per 10k vs first', 'JSON per 10k devices (MiB)'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    'Where the state is held: the service keeps no detector state in memory between batches. `CluePipeline` reads the states of a batch\'s keys from `detector_states` ' +
      'under advisory locks and writes the changed ones back in the same transaction, so the process holds at most one batch\'s states (≤ 500 keys). ' +
      'What grows with the fleet is the `detector_states` table (the JSON column above, plus row overhead) and, in memory, the registration cache of `DeviceRegistrations` (one entry per device seen, refreshed after 60 s but never removed).',
    '',
    'Eviction: parking states are deleted a day after their last sighting (`pruneParkingStates`, on the pipeline timer). Truck, gas and bridge states are never deleted: ' +
      'a device that goes silent keeps its row for ever (a silent gas sensor gets one offline alert and its state stays), so the table grows with every device id ever seen, ' +
      'and the in-memory registration cache likewise keeps an entry for every device id the process has seen until it restarts.',
    '',
    'Heap over time under load is in the soak (`npm run soak`, bench/soak.ts): it samples `heapUsed` every second and charts it in docs/soak.svg beside the rate, the end-to-end latency p99, the pipeline lag and the pool wait.',
    '',
  ].join('\n');
}
