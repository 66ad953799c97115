/**
 * The simulator CLI, run as a user runs it (`node bin/gridwatch-sim.js`), for a fixed seed and
 * duration against the real service in demo mode (demo city, catalogue and devices; the
 * in-process simulators off), over MQTT, with --chaos. Checked against the service, not the
 * CLI's word: the events accepted are those sent minus the deliberate chaos, the dead letters
 * (listed through the admin API) are the chaos's by code, and every device's scripted
 * violations give their clues while devices with none give no clue at all.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Gridwatch } from '../../server/runtime.js';
import type { RunSummary } from '../../simulators/run-fleet.js';
import { api } from '../helpers/app.js';
import { startTestGridwatch, type TestGridwatch } from '../helpers/gridwatch.js';
import { waitFor } from '../ingest/mqtt-kafka-support.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/gridwatch-sim.js');

/** The clue each scripted violation must raise (alert type prefix). */
const CLUE_OF: Record<string, string> = {
  dumping: 'waste.dumping-outside-site',
  uncovered: 'waste.uncovered-load',
  leak: 'gas.leak',
  tamper: 'gas.tamper',
  bridge: 'bridge.structural-alarm',
  overstay: 'parking.no-parking-',
};

let service: TestGridwatch | undefined;
let gw: Gridwatch;
let admin: string;

/** Runs the CLI to completion; resolves with its exit status and output. */
function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

before(async () => {
  service = await startTestGridwatch({ DEMO: '1', SIMULATORS: '0' });
  gw = service.gw;
  const a = gw.demoCredentials.find((c) => c.role === 'admin')!;
  admin = (await api(`${gw.url}/api/v1/auth/login`, { body: { username: a.username, password: a.password } })).body.token;
  // Simulated time runs 60× faster than the service's clock: reports stamped minutes ago would
  // look like silence to the offline timer, so the gas sensors report daily for this test.
  for (const d of gw.demoDevices.filter((x) => x.kind === 'gas-sensor')) {
    const info = await gw.ingest.devices.get(d.id);
    await gw.ingest.devices.setMetadata(d.id, { ...info.metadata, reportingIntervalS: 86_400 });
  }
});
after(async () => {
  await service?.close();
});

test('gridwatch-sim refuses unknown options and bad values with exit status 2', async () => {
  const unknown = await runCli(['--no-such-option']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--no-such-option'/);
  const bad = await runCli(['--chaos-shares', 'malformed=2']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--chaos-shares/);
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--transport mqtt\|kafka\|http/);
});

test('a seeded chaos run over MQTT: accepted = sent − chaos, dead letters = chaos by code, every violation its clue', async () => {
  const summaryFile = path.join(service!.dataDir, 'sim-summary.json');
  const fleet = 'waste-truck=4,gas-sensor=4,bridge-sensor=2,parking-camera=2';
  const r = await runCli([
    '--url', gw.url,
    '--devices', path.join(service!.dataDir, 'demo-devices.json'),
    '--fleet', fleet,
    '--seed', 'chaos-test-7',
    '--duration', '15',
    '--speed', '60',
    '--violations', 'dumping=0.5,uncovered=1,leak=0.5,tamper=0.5,silent=0,bridge=0.5,overstay=1,low-confidence=0',
    '--chaos-shares', 'malformed=0.03,duplicate=0.03,out-of-order=0.03,late=0.02,future=0.02,bad-image=0.02',
    '--json', summaryFile,
    '--quiet',
  ]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const s = JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as RunSummary;

  // Every message acknowledged, and the service's counts are exactly what chaos intended.
  assert.equal(s.unaccounted, 0);
  assert.equal(s.refused, 0);
  assert.equal(s.acked, s.sent);
  const chaosDead = Object.values(s.expected.rejected).reduce((a, b) => a + b, 0);
  assert.ok(chaosDead > 0 && s.expected.duplicate > 0, `the run must include chaos: ${JSON.stringify(s.chaos)}`);
  assert.equal(s.expected.accepted, s.sent - s.expected.duplicate - chaosDead);
  assert.deepEqual(s.service, { accepted: s.expected.accepted, duplicate: s.expected.duplicate, deadLetters: s.expected.rejected });
  assert.equal(s.matchesExpected, true);

  // The dead letters the service kept, read back through the admin API, by code.
  const letters = await api(`${gw.url}/api/v1/dead-letters?limit=500`, { token: admin });
  assert.equal(letters.status, 200);
  const byCode: Record<string, number> = {};
  for (const l of letters.body.items as { code: string }[]) byCode[l.code] = (byCode[l.code] ?? 0) + 1;
  assert.deepEqual(byCode, s.expected.rejected);
  assert.deepEqual(Object.keys(byCode).sort(), ['GW_INGEST_BAD_IMAGE', 'GW_INGEST_BAD_JSON', 'GW_INGEST_FUTURE_TS', 'GW_INGEST_SCHEMA', 'GW_INGEST_UNKNOWN_KIND']);

  // Every scripted violation raises its clue; a device with none raises nothing.
  const violations = Object.entries(s.violations);
  assert.equal(violations.length, 12);
  assert.ok(violations.some(([, v]) => v.length === 0), 'some devices behave');
  type Clue = { alertType: string; device: { id: string } };
  const wanted = (clues: Clue[]) =>
    violations.every(([id, rules]) => rules.every((rule) => clues.some((c) => c.device.id === id && c.alertType.startsWith(CLUE_OF[rule]!))));
  const clues = await waitFor(
    'a clue for every scripted violation',
    async () => {
      const list = (await api(`${gw.url}/api/v1/clues?limit=200`, { token: admin })).body.clues as Clue[];
      return wanted(list) ? list : null;
    },
    120_000,
  );
  for (const [id, rules] of violations) {
    const types = clues.filter((c) => c.device.id === id).map((c) => c.alertType);
    if (!rules.length) assert.deepEqual(types, [], `${id} behaved and must raise nothing`);
    // A dumping truck stands off its corridor while it dumps; nothing else is allowed.
    const allowed = new Set(rules.flatMap((rule) => (rule === 'dumping' ? [CLUE_OF[rule]!, 'waste.off-corridor'] : [CLUE_OF[rule]!])));
    for (const t of types) assert.ok([...allowed].some((a) => t.startsWith(a)), `${id} (${rules.join(', ')}) raised an unexpected ${t}`);
  }
  assert.ok(!clues.some((c) => c.alertType === 'gas.device-offline'), 'no gas sensor went silent');
});
