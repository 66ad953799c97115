/**
 * Runs one bench of bench/ in this process and measures it: bench/run.ts runs them one after
 * another this way, and so does each lane of a `--quick` run (bench/lane.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beginBench } from './phase-log.js';

/** One bench's markdown section and what it cost. */
export interface BenchResult {
  name: string;
  section: string;
  /** Wall seconds. */
  seconds: number;
  /** CPU seconds, its child processes that ended included. */
  cpu: number;
  /**
   * Share of the whole machine's CPU time the hypervisor gave to other guests while the bench ran
   * (steal), or null where /proc/stat has none: on a shared host it, not the code, can explain a
   * run that is slower than the last.
   */
  steal: number | null;
  /** Thousands of JSON round trips a second on one core just before the bench: how fast the machine was then (cpuSpeed). */
  speed: number;
}

/** A device event as the service receives it, for the speed check. */
const SAMPLE_EVENT = JSON.stringify({ eventId: 'speed-1', deviceId: 'gas-001', kind: 'gas-sensor', ts: '2026-12-01T08:00:00.000Z', position: { lon: 121.55, lat: 29.87, crs: 'wgs84', accuracyM: 5 }, lelPct: 3, batteryPct: 80 });

/**
 * A fixed piece of the service's kind of CPU work, timed: thousands of JSON parse + stringify
 * round trips of a device event per second on this thread. On a shared host the same code can
 * run 40 % slower an hour later with no steal reported (other guests on the same cores); this
 * figure, taken before each bench, lets runs be compared with that known.
 */
function cpuSpeed(): number {
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) JSON.stringify(JSON.parse(SAMPLE_EVENT));
  return n / 1000 / ((performance.now() - t0) / 1000);
}

/** The machine's CPU ticks, all and stolen, from the first line of /proc/stat (Linux), or null. */
function machineTicks(): { total: number; steal: number } | null {
  try {
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice (proc(5)); guest time is inside user.
    const ticks = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return ticks.length === 8 && ticks.every(Number.isFinite) ? { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7]! } : null;
  } catch {
    return null;
  }
}

/**
 * CPU seconds of this process and of its children that have ended (simulator processes, forked
 * loads, Chromium, a quick run's lanes), from /proc (Linux); elsewhere this process's own. Unlike
 * wall time on a busy machine, what a bench costs in CPU hardly depends on what else runs.
 */
export function cpuSeconds(): number {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // utime, stime, cutime, cstime (fields 14-17 of proc(5)), in clock ticks of 1/100 s.
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
}

/** Runs `bench/NAME.bench.ts`'s default export and returns its section with its wall and CPU seconds. */
export async function runBench(name: string): Promise<BenchResult> {
  console.error(`# bench ${name}`);
  beginBench(name);
  const mod = (await import(pathToFileURL(path.join(import.meta.dirname, `${name}.bench.ts`)).href)) as { default: () => Promise<string> };
  const t0 = performance.now();
  const speed = cpuSpeed();
  const c0 = cpuSeconds();
  const m0 = machineTicks();
  const section = await mod.default();
  const m1 = machineTicks();
  const steal = m0 && m1 && m1.total > m0.total ? (m1.steal - m0.steal) / (m1.total - m0.total) : null;
  const result = { name, section: section.endsWith('\n') ? section : `${section}\n`, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0, steal, speed };
  console.error(`# bench ${name} done in ${result.seconds.toFixed(1)} s (CPU ${result.cpu.toFixed(1)} s)`);
  return result;
}
