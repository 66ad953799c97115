/**
 * Simulator benchmark: one `gridwatch-sim` process (the CLI, as users run it) against the whole
 * embedded service (demo city and devices, in-process simulators off): over MQTT to the embedded
 * broker, then over Kafka to the librdkafka mock cluster (KAFKA_MOCK=1). Reports the rate the
 * simulator sustained with every message accounted for, and the service's CPU share over the same
 * run (this process hosts the service and its embedded database). Run alone:
 * `npx tsx bench/run.ts simulator`. Settings: GW_BENCH_SIM_RATE (target events/s, 10,000),
 * GW_BENCH_SIM_SECONDS (per transport, 10; `--quick` 3).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunSummary } from '../simulators/run-fleet.js';
import { startTestGridwatch } from '../test/helpers/gridwatch.js';
import { loadRemark } from './load-remark.js';

const RATE = Number(process.env.GW_BENCH_SIM_RATE ?? 10_000);
const SECONDS = Number(process.env.GW_BENCH_SIM_SECONDS ?? (process.env.GW_BENCH_QUICK === '1' ? 3 : 10));
const BIN = path.resolve(import.meta.dirname, '../bin/gridwatch-sim.js');

function sim(args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [BIN, ...args], { timeout: 600_000 }, (err, _out, stderr) => (err && (err as { code?: number }).code !== 1 ? reject(new Error(stderr)) : resolve())),
  );
}

/** Runs the benchmark; returns its markdown section. */
export default async function simulatorBench(): Promise<string> {
  const remark = loadRemark();
  const service = await startTestGridwatch({ DEMO: '1', SIMULATORS: '0', KAFKA_MOCK: '1' });
  const rows: string[] = [];
  const commands: string[] = [];
  try {
    for (const transport of ['mqtt', 'kafka'] as const) {
      const json = path.join(service.dataDir, `bench-${transport}.json`);
      const args = ['--url', service.gw.url, '--devices', path.join(service.dataDir, 'demo-devices.json'), '--transport', transport, '--rate', String(RATE), '--duration', String(SECONDS), '--images', 'no', '--window', '5000', '--seed', `bench-${transport}`, '--json', json, '--quiet'];
      commands.push(`npm run simulate -- --transport ${transport} --rate ${RATE} --duration ${SECONDS} --images no --window 5000`);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await sim(args);
      const wall = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const s = JSON.parse(fs.readFileSync(json, 'utf8')) as RunSummary;
      const serviceShare = (cpu.user + cpu.system) / 1e6 / wall;
      rows.push(
        `| ${transport} | ${RATE} | ${s.sent} | ${s.seconds.toFixed(1)} | ${s.rate} | ${s.unaccounted} | ${(serviceShare * 100).toFixed(0)} % | ${((s.cpuSeconds / s.seconds) * 100).toFixed(0)} % |`,
      );
    }
  } finally {
    await service.close();
  }
  return [
    '## Simulator (gridwatch-sim) against the embedded service',
    '',
    remark,
    '',
    `One simulator process, the 60 demo devices, realistic events (no snapshots), target ${RATE} events/s for ${SECONDS} s per transport; the service is the whole embedded Gridwatch (PGlite, detection, clues). CPU shares are of one core, over the run including the final drain (${os.cpus().length} cores on this machine).`,
    '',
    '| transport | target/s | sent | seconds | sent/s | unaccounted | service CPU | simulator CPU |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'The same runs by hand, against `npm start` with `KAFKA_MOCK=1 SIMULATORS=0`:',
    '',
    ...commands.map((c) => `    ${c}`),
    '',
  ].join('\n');
}
