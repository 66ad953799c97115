/**
 * `npm run soak -- --seconds N --rate R`: a soak of the whole service under the simulator CLI
 * with chaos on. Starts the real service in this process (demo city and devices, in-process
 * simulators off; real PostGIS when DATABASE_URL is set, else embedded PGlite), runs one
 * `gridwatch-sim --chaos` process over MQTT for N seconds at R events/s, and samples every
 * second: the service's intake rate (its own ingest counters), the heap, and the database pool
 * wait (time to check a connection out of the service's pool).
 *
 * Passes (exit 0) only when every message the simulator sent is accounted for, the simulator
 * reported no error, every outcome matched what the message was meant to become (chaos
 * included), and the service logged no error. It never fails on timing or rate: those are
 * figures, drawn to `docs/soak.svg` (or `--svg FILE`) and printed as a summary.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { loadConfig } from '../core/config.js';
import { startGridwatch } from '../server/runtime.js';
import type { RunSummary } from '../simulators/run-fleet.js';
import { parseIngestCounts, totalOf } from '../simulators/service-counts.js';
import { soakChart, type SoakSample } from './soak-chart.js';

const BIN = path.resolve(import.meta.dirname, '../bin/gridwatch-sim.js');

const optionsSchema = z.strictObject({
  seconds: z.coerce.number().int().positive().max(86_400).default(60),
  rate: z.coerce.number().positive().max(100_000).default(2000),
  svg: z.string().min(1).default(path.resolve(import.meta.dirname, '../docs/soak.svg')),
});

const { values } = parseArgs({ options: { seconds: { type: 'string' }, rate: { type: 'string' }, svg: { type: 'string' } }, strict: true });
const parsed = optionsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`soak: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(2);
}
const opts = parsed.data;

// The service's error-level log lines, counted: a soak passes only when there are none.
const serviceErrors: string[] = [];
const log = pino({ level: 'error' }, { write: (line: string) => void serviceErrors.push(line) });

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-soak-'));
const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', DATA_DIR: dataDir, DEMO: '1', SIMULATORS: '0', LOG_LEVEL: 'error' };
if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
const database = process.env.DATABASE_URL ? 'real PostGIS' : 'embedded PGlite';
console.error(`soak: starting the service (${database})`);
const gw = await startGridwatch(loadConfig(env), log);
let exitCode = 1;
try {
  const intake = async (): Promise<number> => totalOf(parseIngestCounts(await (await fetch(`${gw.url}/metrics`)).text(), 'mqtt'));
  const samples: SoakSample[] = [];
  const start = performance.now();
  let last = { t: 0, n: await intake() };
  const sampler = setInterval(() => {
    void (async () => {
      const t = (performance.now() - start) / 1000;
      const w0 = performance.now();
      const client = await gw.db.pool.connect();
      const poolWaitMs = performance.now() - w0;
      client.release();
      const n = await intake();
      samples.push({ t, rate: (n - last.n) / Math.max(t - last.t, 1e-3), heapMb: process.memoryUsage().heapUsed / 2 ** 20, poolWaitMs });
      last = { t, n };
    })().catch((e: unknown) => serviceErrors.push(`sampler: ${(e as Error).message}`));
  }, 1000);

  const json = path.join(dataDir, 'soak.json');
  const args = [BIN, '--url', gw.url, '--devices', path.join(dataDir, 'demo-devices.json'), '--transport', 'mqtt', '--rate', String(opts.rate), '--duration', String(opts.seconds)];
  args.push('--chaos', '--images', 'no', '--seed', `soak-${Date.now()}`, '--json', json, '--quiet');
  console.error(`soak: gridwatch-sim --chaos at ${opts.rate}/s for ${opts.seconds} s`);
  const simStderr = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, args, { timeout: (opts.seconds + 600) * 1000 }, (err, _o, stderr) => (err && (err as { code?: number }).code !== 1 ? reject(new Error(stderr)) : resolve(stderr))),
  );
  clearInterval(sampler);
  const s = JSON.parse(fs.readFileSync(json, 'utf8')) as RunSummary;

  const title = `Soak: gridwatch-sim --chaos over MQTT at ${opts.rate}/s for ${opts.seconds} s\n${database}, ${new Date().toISOString().slice(0, 16)}Z (shared 2-core machine under load)`;
  fs.writeFileSync(opts.svg, soakChart(samples, title));
  const heap = samples.map((x) => x.heapMb);
  const waits = samples.map((x) => x.poolWaitMs);
  const problems: string[] = [];
  if (s.unaccounted) problems.push(`${s.unaccounted} message(s) not accounted for`);
  if (s.errors.length) problems.push(`simulator errors: ${s.errors.slice(0, 5).join('; ')}`);
  if (s.matchesExpected === false) problems.push(`outcomes differ from expectations: expected ${JSON.stringify(s.expected)}, got accepted ${s.accepted}, duplicate ${s.duplicate}, rejected ${JSON.stringify(s.rejected)}`);
  if (serviceErrors.length) problems.push(`${serviceErrors.length} service error log line(s), first: ${serviceErrors[0]!.slice(0, 500)}`);
  console.log(
    [
      `soak: sent ${s.sent} in ${s.seconds.toFixed(1)} s (${s.rate}/s), accepted ${s.accepted}, duplicate ${s.duplicate}, rejected ${JSON.stringify(s.rejected)}, refused ${s.refused}, unaccounted ${s.unaccounted}`,
      `soak: the service counted ${s.service ? `accepted ${s.service.accepted}, duplicate ${s.service.duplicate}, dead letters ${JSON.stringify(s.service.deadLetters)}` : 'nothing (its /metrics could not be read)'}`,
      `soak: chaos ${JSON.stringify(s.chaos)}; outcomes match expectations: ${s.matchesExpected}`,
      `soak: heap ${Math.min(...heap).toFixed(0)}–${Math.max(...heap).toFixed(0)} MB (first ${heap[0]?.toFixed(0)}, last ${heap.at(-1)?.toFixed(0)}); pool wait max ${Math.max(...waits).toFixed(1)} ms`,
      `soak: chart written to ${path.relative(process.cwd(), opts.svg)}`,
      problems.length ? `soak: FAILED\n  ${problems.join('\n  ')}` : 'soak: passed (every message accounted for, no errors)',
    ].join('\n'),
  );
  if (problems.length && simStderr) console.error(simStderr.slice(-2000));
  exitCode = problems.length ? 1 : 0;
} finally {
  await gw.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
