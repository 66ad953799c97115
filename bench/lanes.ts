/**
 * `npm run bench -- --quick` runs its benches in two lanes at once: two child processes, each
 * running its share one after another (bench/run-bench.ts), so the waits of one (a Kafka join, a
 * measured window, a drain) leave the cores to the other, and a run takes about the longer lane
 * instead of the sum. What bench-service.ts shares in a quick run stays inside one lane: lane B
 * holds the bare PGlite's benches (ingest, live) and the two heavy ones with their own (memory,
 * map-draw with its own service and Chromium); lane A the demo service's (latency, pipeline,
 * simulator) and every other bench, so the lanes' CPU seconds come out about even.
 * A full run stays sequential: its figures are the project's and must not share the cores.
 */
import { fork } from 'node:child_process';
import { closeShared } from './bench-service.js';
import { runBench, type BenchResult } from './run-bench.js';

/** Lane B's benches; every other bench runs in lane A. */
const LANE_B = new Set(['ingest', 'live', 'memory', 'map-draw']);

/** What a lane process tells the run, over the IPC channel. */
type LaneMessage = { type: 'start'; name: string } | { type: 'done'; result: BenchResult } | { type: 'failed'; name: string; error: string };

/** A lane's benches and how long the lane took. */
export interface Lane {
  label: string;
  names: string[];
  /** Wall seconds, once it ran. */
  seconds?: number;
}

/** `names` split into lanes A and B, leaving out an empty one. */
export function splitLanes(names: string[]): Lane[] {
  return [
    { label: 'A', names: names.filter((n) => !LANE_B.has(n)) },
    { label: 'B', names: names.filter((n) => LANE_B.has(n)) },
  ].filter((l) => l.names.length);
}

/** Runs one lane in a child process; resolves with its benches' results, rejects naming the bench that failed. */
function runLane(lane: Lane): Promise<BenchResult[]> {
  const t0 = performance.now();
  const child = fork(new URL(import.meta.url), [`--lane=${lane.names.join(',')}`], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const results: BenchResult[] = [];
  let current = '(before its first bench)';
  let failure = '';
  child.on('message', (m: LaneMessage) => {
    if (m.type === 'start') current = m.name;
    else if (m.type === 'done') results.push(m.result);
    else failure = `bench ${m.name} failed in lane ${lane.label}: ${m.error}`;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      lane.seconds = (performance.now() - t0) / 1000;
      if (code === 0 && results.length === lane.names.length) resolve(results);
      else reject(new Error(failure || `lane ${lane.label} ended (${signal ?? `exit code ${code}`}) during bench ${current}`));
    });
  });
}

/**
 * Runs the lanes at once and returns every bench's result; after all lanes ended (so each cleaned
 * up its services), throws naming each bench that failed.
 */
export async function runLanes(lanes: Lane[]): Promise<BenchResult[]> {
  const settled = await Promise.allSettled(lanes.map(runLane));
  const failed = settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as Error).message] : []));
  if (failed.length) throw new Error(failed.join('\n'));
  return settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
}

/** A lane process: runs its benches in order, reporting each to the run, then closes what they shared. */
async function laneProcess(names: string[]): Promise<void> {
  const send = (m: LaneMessage): Promise<void> => new Promise((resolve) => process.send!(m, () => resolve()));
  let current = '';
  try {
    for (const name of names) {
      current = name;
      await send({ type: 'start', name });
      await send({ type: 'done', result: await runBench(name) });
    }
  } catch (err) {
    console.error(err);
    await send({ type: 'failed', name: current, error: (err as Error).message });
    process.exitCode = 1;
  } finally {
    await closeShared();
  }
  // Benches may leave handles (timers, sockets of their children) that would keep the lane alive.
  process.exit();
}

const laneArg = process.argv[2];
if (import.meta.url === `file://${process.argv[1]}` && laneArg?.startsWith('--lane=')) await laneProcess(laneArg.slice('--lane='.length).split(','));
