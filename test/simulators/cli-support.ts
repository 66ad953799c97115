/**
 * What the CLI tests share: running `bin/gridwatch-sim.js` as a user does, a demo service with a
 * logged-in administrator, the seeded chaos run's arguments, and the checks made against the
 * service itself (its database and its own counters), never the CLI's word.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Gridwatch } from '../../server/runtime.js';
import { opsHeaders, parseIngestCounts } from '../../simulators/service-counts.js';
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

/** Runs the CLI to completion; resolves with its exit status and output. */
export function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 300_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A demo service (in-process simulators off), an administrator's token and the service's OPS_TOKEN. */
export interface CliService {
  service: TestGridwatch;
  gw: Gridwatch;
  admin: string;
  opsToken: string;
}

/**
 * The service runs with an OPS_TOKEN, as production does: the CLI must pass it (--ops-token) to
 * find the broker in /healthz and to read /metrics for its final check.
 */
const OPS_TOKEN = 'cli-test-ops-token-'.padEnd(40, '0');

/** Starts the demo service with `env` added, logs the demo administrator in, and makes the gas sensors report daily. */
export async function startCliService(env: Record<string, string> = {}): Promise<CliService> {
  const service = await startTestGridwatch({ DEMO: '1', SIMULATORS: '0', OPS_TOKEN, ...env });
  const gw = service.gw;
  const a = gw.demoCredentials.find((c) => c.role === 'admin')!;
  const admin = (await api(`${gw.url}/api/v1/auth/login`, { body: { username: a.username, password: a.password } })).body.token as string;
  // Simulated time runs 60× faster than the service's clock: reports stamped minutes ago would
  // look like silence to the offline timer, so the gas sensors report daily for these tests.
  for (const d of gw.demoDevices.filter((x) => x.kind === 'gas-sensor')) {
    const info = await gw.ingest.devices.get(d.id);
    await gw.ingest.devices.setMetadata(d.id, { ...info.metadata, reportingIntervalS: 86_400 });
  }
  return { service, gw, admin, opsToken: OPS_TOKEN };
}

/** The seeded chaos run both transports make: 12 devices, 15 s at 60× speed, every chaos kind. */
export function chaosRunArgs(s: CliService, transport: 'mqtt' | 'kafka', summaryFile: string): string[] {
  return [
    '--url', s.gw.url,
    '--ops-token', s.opsToken,
    '--devices', path.join(s.service.dataDir, 'demo-devices.json'),
    '--transport', transport,
    '--fleet', 'waste-truck=4,gas-sensor=4,bridge-sensor=2,parking-camera=2',
    '--seed', 'chaos-test-7',
    '--duration', '15',
    '--speed', '60',
    '--violations', 'dumping=0.5,uncovered=1,leak=0.5,tamper=0.5,silent=0,bridge=0.5,overstay=1,low-confidence=0',
    '--chaos-shares', 'malformed=0.03,duplicate=0.03,out-of-order=0.03,late=0.02,future=0.02,bad-image=0.02',
    '--json', summaryFile,
    '--quiet',
  ];
}

/**
 * The service's own account of one transport, from its database (events stored, dead letters by
 * code) and its /metrics (duplicates are counted, not stored). Waits until it accounts for
 * `total` inputs (Kafka is consumed after delivery), then answers what it has.
 */
export async function serviceAccount(gw: Gridwatch, opsToken: string, transport: string, total: number): Promise<{ stored: number; duplicate: number; deadLetters: Record<string, number> }> {
  const read = async () => {
    const stored = (await gw.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM device_events WHERE transport = $1', [transport])).rows[0]!.n;
    const dead = await gw.db.pool.query<{ code: string; n: number }>('SELECT code, count(*)::int AS n FROM dead_letters WHERE transport = $1 GROUP BY code', [transport]);
    const deadLetters = Object.fromEntries(dead.rows.map((r) => [r.code, r.n]));
    const duplicate = parseIngestCounts(await (await fetch(`${gw.url}/metrics`, { headers: opsHeaders(opsToken) })).text(), transport).duplicate;
    return { stored, duplicate, deadLetters };
  };
  const sum = (a: { stored: number; duplicate: number; deadLetters: Record<string, number> }) => a.stored + a.duplicate + Object.values(a.deadLetters).reduce((x, y) => x + y, 0);
  await waitFor(`the service to account for ${total} ${transport} inputs`, async () => (sum(await read()) >= total ? true : null), 60_000).catch(() => undefined);
  return read();
}

/**
 * The accounting of a seeded chaos run (whose CLI exited 0), checked against the service: nothing
 * unaccounted, every message acknowledged, the chaos present, and the service stored exactly
 * the messages sent minus the duplicates and dead letters chaos intended, with the dead letters
 * (also listed through the admin API) the chaos's by code.
 */
export async function assertChaosAccounting(s: CliService, transport: 'mqtt' | 'kafka', summary: RunSummary): Promise<void> {
  assert.equal(summary.unaccounted, 0);
  assert.equal(summary.refused, 0);
  assert.equal(summary.acked, summary.sent);
  const chaosDead = Object.values(summary.expected.rejected).reduce((a, b) => a + b, 0);
  assert.ok(chaosDead > 0 && summary.expected.duplicate > 0, `the run must include chaos: ${JSON.stringify(summary.chaos)}`);
  assert.equal(summary.expected.accepted, summary.sent - summary.expected.duplicate - chaosDead);
  assert.equal(summary.matchesExpected, true);

  // The CLI read the service's own counts, through the OPS_TOKEN.
  assert.ok(summary.service, 'the CLI could not read /metrics with --ops-token');
  const own = await serviceAccount(s.gw, s.opsToken, transport, summary.sent);
  assert.deepEqual(own, { stored: summary.sent - summary.expected.duplicate - chaosDead, duplicate: summary.expected.duplicate, deadLetters: summary.expected.rejected });

  const letters = await api(`${s.gw.url}/api/v1/dead-letters?limit=500`, { token: s.admin });
  assert.equal(letters.status, 200);
  const byCode: Record<string, number> = {};
  for (const l of letters.body.items as { code: string }[]) byCode[l.code] = (byCode[l.code] ?? 0) + 1;
  assert.deepEqual(byCode, summary.expected.rejected);
  assert.deepEqual(Object.keys(byCode).sort(), ['GW_INGEST_BAD_IMAGE', 'GW_INGEST_BAD_JSON', 'GW_INGEST_FUTURE_TS', 'GW_INGEST_SCHEMA', 'GW_INGEST_UNKNOWN_KIND']);
}

/** Every device's scripted violations give their clues (waited for), and a device with none gives no clue at all. */
export async function assertViolationClues(s: CliService, summary: RunSummary): Promise<void> {
  const violations = Object.entries(summary.violations);
  assert.equal(violations.length, 12);
  assert.ok(violations.some(([, v]) => v.length === 0), 'some devices behave');
  type Clue = { alertType: string; device: { id: string } };
  const wanted = (clues: Clue[]) =>
    violations.every(([id, rules]) => rules.every((rule) => clues.some((c) => c.device.id === id && c.alertType.startsWith(CLUE_OF[rule]!))));
  const clues = await waitFor(
    'a clue for every scripted violation',
    async () => {
      const list = (await api(`${s.gw.url}/api/v1/clues?limit=200`, { token: s.admin })).body.clues as Clue[];
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
}
