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
  const c0 = cpuSeconds();
  const section = await mod.default();
  const result = { name, section: section.endsWith('\n') ? section : `${section}\n`, seconds: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
  console.error(`# bench ${name} done in ${result.seconds.toFixed(1)} s (CPU ${result.cpu.toFixed(1)} s)`);
  return result;
}
