/**
 * `npm run soak -- --seconds N --rate R`: a soak of the whole service under the simulator CLI
 * with chaos on. Starts the real service in this process (demo city and devices, in-process
 * simulators off; real PostGIS when DATABASE_URL is set, else embedded PGlite), runs one
 * `gridwatch-sim --chaos` process over MQTT for N seconds at R events/s with every demo device
 * but the probe's, and measures over time:
 * - every second: the service's intake rate (its own MQTT ingest counters), the heap, the
 *   database pool wait (time to check a connection out of the service's pool) and the lag (the
 *   pipeline work list: events waiting, and the age of the oldest);
 * - continuously: end-to-end latency, one probe after another (bench/e2e-probe.ts, as in the
 *   latency bench), publish → clue diff on a live socket, as p99 per window.
 * The probe publishes over HTTP, so its events are counted under another transport than the
 * simulator's and its device is not one the simulator drives: the accounting stays exact.
 *
 * Passes (exit 0) only when every message the simulator sent is accounted for, the simulator
 * reported no error, every outcome matched what the message was meant to become (chaos
 * included), every probe reading was accepted, and the service logged no error. It never fails
 * on timing, rate or lag: those are figures, drawn to `docs/soak.svg` (or `--svg FILE`), printed
 * as a summary and written as the `soak` section of docs/BENCHMARKS.md (or `--md FILE`; with
 * only `--svg`, no report is written, so a CI run leaves docs/ alone).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { z } from 'zod';
import { loadConfig } from '../core/config.js';
import { loadSql } from '../db/sql.js';
import { startGridwatch } from '../server/runtime.js';
import type { RunSummary } from '../simulators/run-fleet.js';
import { parseIngestCounts, totalOf } from '../simulators/service-counts.js';
import { openE2eProbe } from './e2e-probe.js';
import { loadRemark } from './load-remark.js';
import { writeSection } from './report-sections.js';
import { latencyWindows, soakChart, type ProbeSample, type SoakSample } from './soak-chart.js';
import { soakSection, thirds } from './soak-report.js';

const BIN = path.resolve(import.meta.dirname, '../bin/gridwatch-sim.js');
const LAG_SQL = loadSql(new URL('./sql/soak-lag.sql', import.meta.url));
/** The latency p99 is given per window this long: a trend over the soak, not one figure. */
const WINDOW_S = 10;
/** A probe not answered within this long counts as lost (reported, not in the percentiles). */
const PROBE_TIMEOUT_MS = 10_000;

const optionsSchema = z.strictObject({
  seconds: z.coerce.number().int().positive().max(86_400).default(60),
  rate: z.coerce.number().positive().max(100_000).default(2000),
  svg: z.string().min(1).default(path.resolve(import.meta.dirname, '../docs/soak.svg')),
  // The figures go into the report beside the chart: by default docs/BENCHMARKS.md, none with only --svg.
  md: z.string().min(1).optional(),
});

const { values } = parseArgs({ options: { seconds: { type: 'string' }, rate: { type: 'string' }, svg: { type: 'string' }, md: { type: 'string' } }, strict: true });
const parsed = optionsSchema.safeParse(values);
if (!parsed.success) {
  console.error(`soak: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(2);
}
const opts = parsed.data;
const report = opts.md ?? (values.svg === undefined ? path.resolve(import.meta.dirname, '../docs/BENCHMARKS.md') : undefined);

// The service's error-level log lines, counted: a soak passes only when there are none.
const serviceErrors: string[] = [];
const log = pino({ level: 'error' }, { write: (line: string) => void serviceErrors.push(line) });

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-soak-'));
const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', DATA_DIR: dataDir, DEMO: '1', SIMULATORS: '0', LOG_LEVEL: 'error' };
if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
const database = process.env.DATABASE_URL ? 'real PostGIS' : 'embedded PGlite';
// Taken before the service starts, so the chart says how busy the machine was without the soak.
const boldRemark = loadRemark();
const remark = boldRemark.replaceAll('**', '');
const startedAt = new Date().toISOString();
console.error(`soak: starting the service (${database})`);
const gw = await startGridwatch(loadConfig(env), log);
let exitCode = 1;
const probe = await openE2eProbe(gw, dataDir, 'http').catch(async (e: unknown) => {
  await gw.close();
  throw e;
});
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
      const lag = (await gw.db.pool.query<{ pending: number; oldest_s: number }>(LAG_SQL)).rows[0]!;
      samples.push({ t, rate: (n - last.n) / Math.max(t - last.t, 1e-3), heapMb: process.memoryUsage().heapUsed / 2 ** 20, poolWaitMs, pending: lag.pending, oldestPendingS: lag.oldest_s });
      last = { t, n };
    })().catch((e: unknown) => serviceErrors.push(`sampler: ${(e as Error).message}`));
  }, 1000);

  const json = path.join(dataDir, 'soak.json');
  const args = [BIN, '--url', gw.url, '--devices', probe.loadDevicesFile, '--transport', 'mqtt', '--rate', String(opts.rate), '--duration', String(opts.seconds)];
  args.push('--chaos', '--images', 'no', '--seed', `soak-${Date.now()}`, '--json', json, '--quiet');
  console.error(`soak: gridwatch-sim --chaos at ${opts.rate}/s for ${opts.seconds} s`);
  const sim = new Promise<string>((resolve, reject) =>
    execFile(process.execPath, args, { timeout: (opts.seconds + 600) * 1000 }, (err, _o, stderr) => (err && (err as { code?: number }).code !== 1 ? reject(new Error(stderr)) : resolve(stderr))),
  );
  let running = true;
  void sim.finally(() => (running = false)).catch(() => undefined);
  // Probes one after another for as long as the load runs, each timed on its own.
  const probes: ProbeSample[] = [];
  const prober = (async () => {
    while (running) {
      const t = (performance.now() - start) / 1000;
      probes.push({ t, ms: await probe.measure(PROBE_TIMEOUT_MS) });
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  const simStderr = await sim;
  await prober;
  clearInterval(sampler);
  // The simulator writes its summary even when it finds problems; none means it could not run at all.
  if (!fs.existsSync(json)) throw new Error(`soak: gridwatch-sim wrote no summary; the end of its stderr:\n${simStderr.slice(-2000)}`);
  const s = JSON.parse(fs.readFileSync(json, 'utf8')) as RunSummary;

  const windows = latencyWindows(probes, WINDOW_S);
  const title = `Soak: gridwatch-sim --chaos over MQTT at ${opts.rate}/s for ${opts.seconds} s; latency p99 per ${WINDOW_S} s window\n${database}, ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} cores\n${remark}`;
  fs.writeFileSync(opts.svg, soakChart(samples, windows, title));
  const heap = samples.map((x) => x.heapMb);
  const waits = samples.map((x) => x.poolWaitMs);
  const pending = samples.map((x) => x.pending);
  const oldest = samples.map((x) => x.oldestPendingS);
  const lost = probes.filter((p) => p.ms === null).length;
  // "Growing lag" is judged by eye from the chart and from thirds of the run, never as a pass/fail.
  const problems: string[] = [];
  if (s.unaccounted) problems.push(`${s.unaccounted} message(s) not accounted for`);
  if (s.errors.length) problems.push(`simulator errors: ${s.errors.slice(0, 5).join('; ')}`);
  if (s.matchesExpected === false) problems.push(`outcomes differ from expectations: expected ${JSON.stringify(s.expected)}, got accepted ${s.accepted}, duplicate ${s.duplicate}, rejected ${JSON.stringify(s.rejected)}`);
  if (probe.refused.length) problems.push(`${probe.refused.length} of ${probe.published()} probe reading(s) not accepted, first: ${probe.refused[0]}`);
  if (serviceErrors.length) problems.push(`${serviceErrors.length} service error log line(s), first: ${serviceErrors[0]!.slice(0, 500)}`);
  console.log(
    [
      `soak: sent ${s.sent} in ${s.seconds.toFixed(1)} s (${s.rate}/s), accepted ${s.accepted}, duplicate ${s.duplicate}, rejected ${JSON.stringify(s.rejected)}, refused ${s.refused}, unaccounted ${s.unaccounted}`,
      `soak: the service counted ${s.service ? `accepted ${s.service.accepted}, duplicate ${s.service.duplicate}, dead letters ${JSON.stringify(s.service.deadLetters)}` : 'nothing (its /metrics could not be read)'}`,
      `soak: chaos ${JSON.stringify(s.chaos)}; outcomes match expectations: ${s.matchesExpected}`,
      `soak: heap ${Math.min(...heap).toFixed(0)}–${Math.max(...heap).toFixed(0)} MB (first ${heap[0]?.toFixed(0)}, last ${heap.at(-1)?.toFixed(0)}); pool wait max ${Math.max(...waits).toFixed(1)} ms`,
      `soak: end-to-end latency p99 per ${WINDOW_S} s window (ms): ${windows.map((w) => (Number.isFinite(w.p99Ms) ? w.p99Ms.toFixed(0) : '–')).join(', ')}; ${probes.length - lost} probes answered, ${lost} lost (no diff within ${PROBE_TIMEOUT_MS / 1000} s)`,
      `soak: lag, events waiting in the pipeline work list: max ${Math.max(...pending)}, mean by thirds ${thirds(pending).map((v) => v.toFixed(0)).join(' / ')}, last ${pending.at(-1)}`,
      `soak: lag, age of the oldest waiting event: max ${Math.max(...oldest).toFixed(1)} s, mean by thirds ${thirds(oldest).map((v) => v.toFixed(1)).join(' / ')} s, last ${oldest.at(-1)?.toFixed(1)} s`,
      `soak: ${remark}`,
      `soak: chart written to ${path.relative(process.cwd(), opts.svg)}${report ? `, figures to ${path.relative(process.cwd(), report)} (section soak)` : ''}`,
      problems.length ? `soak: FAILED\n  ${problems.join('\n  ')}` : 'soak: passed (every message accounted for, no errors)',
    ].join('\n'),
  );
  if (report) {
    const chart = path.relative(path.dirname(report), opts.svg);
    const figures = { seconds: opts.seconds, rate: opts.rate, database, startedAt, chart, remark: boldRemark, windowS: WINDOW_S, summary: s, heapMb: heap, poolWaitMs: waits, pending, oldestPendingS: oldest, windows, probes: probes.length, lost, problems };
    writeSection(report, 'soak', soakSection(figures));
  }
  if (problems.length && simStderr) console.error(simStderr.slice(-2000));
  exitCode = problems.length ? 1 : 0;
} finally {
  await probe.close();
  await gw.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
