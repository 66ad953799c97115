/**
 * The pure parts of the simulator CLI: the seeded event stream and chaos layer (same seed, same
 * messages; every message says what it must become, checked against the real decoder), the
 * replay rewrite, and option validation (unknown options and bad values refused).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import type { FeatureCollection, Geometry } from 'geojson';
import { admitEvent, decodeInput } from '../../ingest/decode.js';
import { DEFAULT_NORMALISE_OPTIONS } from '../../ingest/normalise.js';
import { DEFAULT_CHAOS, expectedOutcomes, withChaos, type Outgoing } from '../../simulators/chaos.js';
import { parseCliOptions } from '../../simulators/cli-options.js';
import { planDemoFleet } from '../../simulators/fleet-plan.js';
import { DEFAULT_VIOLATIONS, fleetEvents } from '../../simulators/fleet-stream.js';
import { rewriteForReplay } from '../../simulators/recording.js';

const zones = JSON.parse(fs.readFileSync(new URL('../../geo/demo/data/zones.geojson', import.meta.url), 'utf8')) as FeatureCollection<Geometry>;
const devices = [
  ...Array.from({ length: 3 }, (_, i) => ({ id: `truck-${i}`, kind: 'waste-truck' as const })),
  ...Array.from({ length: 3 }, (_, i) => ({ id: `gas-${i}`, kind: 'gas-sensor' as const })),
  ...Array.from({ length: 2 }, (_, i) => ({ id: `bridge-${i}`, kind: 'bridge-sensor' as const })),
  ...Array.from({ length: 2 }, (_, i) => ({ id: `camera-${i}`, kind: 'parking-camera' as const })),
];
const plans = planDemoFleet(devices, zones);
const START = Date.parse('2026-03-02T01:00:00Z');
const shares = { malformed: 0.05, duplicate: 0.05, 'out-of-order': 0.05, late: 0.05, future: 0.05, 'bad-image': 0.05 };

function messages(seed: string, n: number): Outgoing[] {
  const events = fleetEvents(plans, { seed, start: START, runId: 'run', violations: DEFAULT_VIOLATIONS, offsetCrsShare: 0.3, end: START + 3_600_000 });
  const out: Outgoing[] = [];
  for (const m of withChaos((function* () { for (const e of events) yield e.event; })(), shares, seed)) {
    out.push(m);
    if (out.length === n) break;
  }
  return out;
}

test('the same seed gives the same messages; another seed gives others', () => {
  assert.deepEqual(messages('seed-a', 800), messages('seed-a', 800));
  assert.notDeepEqual(messages('seed-a', 800), messages('seed-b', 800));
});

test('every chaos message becomes what it says, by the real decoder', () => {
  const msgs = messages('decode-check', 3000);
  const kinds = new Set(msgs.map((m) => m.chaos).filter(Boolean));
  assert.deepEqual([...kinds].sort(), ['bad-image', 'duplicate', 'future', 'late', 'malformed', 'out-of-order']);
  const identity = (m: Outgoing) => ({ id: m.deviceId, kind: m.kind, disabled: false });
  const seen = new Set<string>();
  for (const m of msgs) {
    const receivedAt = START + 3_600_000;
    const input = { transport: 'mqtt' as const, payload: m.payload, authenticatedDeviceId: m.deviceId, receivedAt };
    const p = decodeInput(input);
    const a = p.ok ? admitEvent(p.wire, input, identity(m), DEFAULT_NORMALISE_OPTIONS) : p;
    if (!a.ok) {
      assert.deepEqual(m.expect, { status: 'rejected', code: a.dead.code }, m.payload.slice(0, 200));
      continue;
    }
    const key = `${a.event.deviceId}/${a.event.eventId}`;
    assert.equal(m.expect.status, seen.has(key) ? 'duplicate' : 'accepted', `${key} (${m.chaos ?? 'plain'})`);
    seen.add(key);
  }
  const e = expectedOutcomes(msgs);
  assert.equal(e.accepted + e.duplicate + Object.values(e.rejected).reduce((x, y) => x + y, 0), msgs.length);
  assert.ok(msgs.some((m) => JSON.parse(m.payload.startsWith('{') && m.chaos !== 'malformed' ? m.payload : '{}').position?.crs === 'gcj02'), 'some devices report GCJ-02');
});

test('a replay moves timestamps so the latest ordinary event is now, keeps intervals, and renames eventIds', () => {
  const msgs = messages('replay', 400).map((m, i) => ({ ...m, at: i * 10 }));
  const now = Date.parse('2027-01-01T00:00:00Z');
  const replayed = rewriteForReplay(msgs, now, 'r1');
  const ordinary = replayed.filter((r) => !r.chaos);
  const ts = ordinary.map((r) => Date.parse(JSON.parse(r.payload).ts));
  assert.equal(Math.max(...ts), now);
  const orig = msgs.filter((r) => !r.chaos).map((r) => Date.parse(JSON.parse(r.payload).ts));
  assert.equal(ts[5]! - ts[0]!, orig[5]! - orig[0]!);
  assert.ok(ordinary.every((r) => (JSON.parse(r.payload).eventId as string).endsWith('@r1')));
  // Text that is not JSON goes out as recorded.
  const bad = msgs.find((m) => m.expect.status === 'rejected' && 'code' in m.expect && m.expect.code === 'GW_INGEST_BAD_JSON');
  if (bad) assert.equal(replayed[msgs.indexOf(bad)]!.payload, bad.payload);
});

test('options: defaults, shares, and refusals', () => {
  const o = parseCliOptions(['--chaos', '--rate', '100']);
  assert.deepEqual(o.chaos, DEFAULT_CHAOS);
  assert.equal(o.transport, 'mqtt');
  assert.equal(parseCliOptions([]).chaos, null);
  assert.deepEqual(parseCliOptions(['--chaos-shares', 'malformed=0.1']).chaos, { ...Object.fromEntries(Object.keys(DEFAULT_CHAOS).map((k) => [k, 0])), malformed: 0.1 });
  for (const bad of [['--nope'], ['--transport', 'smoke-signals'], ['--rate', '5', '--rate-per-device', '1'], ['--chaos-shares', 'malformed=0.8,duplicate=0.5'], ['--violations', 'arson=0.1'], ['--fleet', 'toaster=3'], ['stray'], ['--duration', '-1'], ['--replay', 'a', '--record', 'b']]) {
    assert.throws(() => parseCliOptions(bad), Error, bad.join(' '));
  }
});
