/**
 * The shipped recording `simulators/scenarios/every-rule.ndjson`, replayed by the simulator CLI
 * (`--replay`, timestamps moved to now) into the real service in demo mode, must raise exactly
 * the clues it scripts: one per positive case with its alert count, none for the negative cases
 * (GPS jitter at a corridor's edge, a one-sample bridge spike, a car that leaves in time), with
 * the item and units pinned in `every-rule.expected.json`, on either database backend.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FeatureCollection, Geometry } from 'geojson';
import type { Gridwatch } from '../../server/runtime.js';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';
import { buildEveryRuleScenario, EVERY_RULE_EXPECTED, EVERY_RULE_QUIET } from './every-rule-scenario.js';

const root = path.resolve(import.meta.dirname, '../..');
const RECORDING = path.join(root, 'simulators/scenarios/every-rule.ndjson');
const EXPECTED = path.join(root, 'simulators/scenarios/every-rule.expected.json');
const BIN = path.join(root, 'bin/gridwatch-sim.js');

let service: TestGridwatch | undefined;
let gw: Gridwatch;
let admin: string;

before(async () => {
  service = await startTestGridwatch({ DEMO: '1', SIMULATORS: '0' });
  gw = service.gw;
  const a = gw.demoCredentials.find((c) => c.role === 'admin')!;
  admin = (await api(`${gw.url}/api/v1/auth/login`, { body: { username: a.username, password: a.password } })).body.token;
  const patch = async (id: string, extra: Record<string, unknown>) => {
    const info = await gw.ingest.devices.get(id);
    await gw.ingest.devices.setMetadata(id, { ...info.metadata, ...extra });
  };
  // The gas sensors that keep reporting report daily (only gas-003's silence may count), and
  // truck-005 may drive only in an hour that is not now (Beijing time), whenever the test runs.
  await patch('gas-001', { reportingIntervalS: 86_400 });
  await patch('gas-002', { reportingIntervalS: 86_400 });
  const hour = (new Date().getUTCHours() + 8 + 6) % 24;
  const hh = (h: number) => `${String(h % 24).padStart(2, '0')}:00`;
  await patch('truck-005', { permittedHours: [{ from: hh(hour), to: hh(hour + 1) }] });
});
after(async () => {
  await service?.close();
});

test('the shipped recording is what the scene builder makes', () => {
  const zones = JSON.parse(fs.readFileSync(path.join(root, 'geo/demo/data/zones.geojson'), 'utf8')) as FeatureCollection<Geometry>;
  const built = buildEveryRuleScenario(zones).map((r) => JSON.stringify(r)).join('\n') + '\n';
  assert.equal(fs.readFileSync(RECORDING, 'utf8'), built, 'regenerate simulators/scenarios/every-rule.ndjson from test/e2e/every-rule-scenario.ts');
});

test('replaying the every-rule recording raises exactly its clues', async () => {
  const summaryFile = path.join(service!.dataDir, 'replay.json');
  const r = await new Promise<{ code: number; out: string }>((resolve) =>
    execFile(process.execPath, [BIN, '--url', gw.url, '--devices', path.join(service!.dataDir, 'demo-devices.json'), '--replay', RECORDING, '--json', summaryFile, '--quiet'], { timeout: 300_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
  assert.equal(r.code, 0, r.out);
  const summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
  assert.equal(summary.matchesExpected, true, r.out);

  type Clue = { alertType: string; alertCount: number; review: boolean; device: { id: string }; item: { code: string }; primaryUnitId: string; coNotifiedUnitIds: string[]; severity: string };
  const list = async () => (await api(`${gw.url}/api/v1/clues?limit=200`, { token: admin })).body.clues as Clue[];
  const want = Object.entries(EVERY_RULE_EXPECTED);
  const complete = (all: Clue[]) => want.every(([id, e]) => all.some((c) => c.device.id === id && c.alertType === e.alertType && c.alertCount === e.alertCount));
    let clues: Clue[] = [];
  for (const deadline = Date.now() + 180_000; Date.now() < deadline && !complete(clues); await new Promise((r) => setTimeout(r, 2000))) clues = await list();
  const seen = clues.map((c) => `${c.device.id}:${c.alertType}×${c.alertCount}`).sort();
  assert.ok(complete(clues), `every scripted clue with its alert count; got ${seen.join(', ')}`);
  for (const [id, e] of want) {
    const mine = clues.filter((c) => c.device.id === id);
    assert.equal(mine.length, 1, `${id}: one clue, got ${mine.map((c) => c.alertType).join(', ')}`);
    assert.equal(mine[0]!.review, e.review ?? false, `${id}: review`);
  }
  for (const id of EVERY_RULE_QUIET) assert.deepEqual(clues.filter((c) => c.device.id === id).map((c) => c.alertType), [], `${id} must raise nothing`);
  assert.equal(clues.length, want.length, `no other clue: ${clues.map((c) => `${c.alertType}@${c.device.id}`).join(', ')}`);

  // Items and units: the same on every replay and backend.
  const got = Object.fromEntries(
    clues
      .sort((a, b) => a.device.id.localeCompare(b.device.id))
      .map((c) => [c.device.id, { alertType: c.alertType, alertCount: c.alertCount, severity: c.severity, item: c.item.code, primaryUnitId: c.primaryUnitId, coNotifiedUnitIds: [...c.coNotifiedUnitIds].sort() }]),
  );
  // GW_WRITE_EXPECTED=FILE writes what this replay raised, to pin it (compare embedded and real PostGIS first).
  if (process.env.GW_WRITE_EXPECTED) fs.writeFileSync(process.env.GW_WRITE_EXPECTED, `${JSON.stringify(got, null, 2)}\n`);
  if (process.env.GW_WRITE_EXPECTED && !fs.existsSync(EXPECTED)) return;
  assert.deepEqual(got, JSON.parse(fs.readFileSync(EXPECTED, 'utf8')));
});
