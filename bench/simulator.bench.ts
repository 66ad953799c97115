/**
 * Simulator benchmark: one `gridwatch-sim` process (the CLI, as users run it) against the whole
 * embedded service (demo city and devices, in-process simulators off): over MQTT to the embedded
 * broker, then over Kafka to the librdkafka mock cluster (KAFKA_MOCK=1). Reports the rate the
 * simulator sustained with every message accounted for, and the service's CPU share over the same
 * run (this process hosts the service and its embedded database), and when the service had
 * counted everything acknowledged: over Kafka a delivery report is the mock broker's, so the
 * simulator's sent/s is only the producer's and the service's own rate is sent / caught-up time.
 * The target is above the 10,000/s goal so that it does not cap the figure. Run alone:
 * `npx tsx bench/run.ts simulator`. Settings: GW_BENCH_SIM_RATE (target events/s, 15,000),
 * GW_BENCH_SIM_SECONDS (per transport, 10; `--quick` 3).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunSummary } from '../simulators/run-fleet.js';
import { benchService } from './bench-service.js';
import { loadRemark } from './load-remark.js';
import { phase } from './phase-log.js';

const RATE = Number(process.env.GW_BENCH_SIM_RATE ?? 15_000);
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
  // Always embedded: the section is about the simulator against the embedded service.
  const service = await benchService('gw-bench-simulator-', undefined, { KAFKA_MOCK: '1', CHECK_RESPONSES: '1' });
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
      phase(`${transport}: ${s.sent} sent in ${s.seconds.toFixed(1)} s`);
      const serviceCpu = (cpu.user + cpu.system) / 1e6;
      const caughtUp = s.serviceSeconds === null ? 'not in the drain wait' : `${s.serviceSeconds.toFixed(1)} s (${Math.round(s.sent / s.serviceSeconds)}/s)`;
      // CPU per event: unlike a rate, it hardly depends on what else the machine runs.
      const perEvent = (seconds: number) => `${Math.round((seconds * 1e6) / Math.max(s.sent, 1))} µs`;
      rows.push(
        `| ${transport} | ${RATE} | ${s.sent} | ${s.seconds.toFixed(1)} | ${s.rate} | ${caughtUp} | ${s.unaccounted} | ${((serviceCpu / wall) * 100).toFixed(0)} % | ${((s.cpuSeconds / s.seconds) * 100).toFixed(0)} % | ${perEvent(serviceCpu)} | ${perEvent(s.cpuSeconds)} |`,
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
    `One simulator process, the 60 demo devices, realistic events (no snapshots), target ${RATE} events/s for ${SECONDS} s per transport; the service is the whole embedded Gridwatch (PGlite, detection, clues). CPU shares are of one core, over the run including the final drain (${os.cpus().length} cores on this machine). "sent/s" counts acknowledgements: an MQTT PUBACK comes once the event is stored, a Kafka delivery report once the mock broker has it, before the service consumes it; "service caught up" is when the service's own counts covered everything acknowledged (sent / that time in brackets: the rate the service kept up with). CPU per event is CPU time over events sent: a budget that, unlike a rate, hardly depends on what else the machine runs.`,
    '',
    '| transport | target/s | sent | seconds | sent/s | service caught up | unaccounted | service CPU | simulator CPU | service CPU/event | simulator CPU/event |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'The same runs by hand, against `npm start` with `KAFKA_MOCK=1 SIMULATORS=0`:',
    '',
    ...commands.map((c) => `    ${c}`),
    '',
  ].join('\n');
}
