/**
 * Phase timestamps on stderr (`#   [bench +12.3 s] what`): seconds since the current bench began,
 * so a run's log shows where each bench spends its time (a start, a load, a measured window).
 */
let bench = '';
let started = performance.now();

/** Marks the start of bench `name` (bench/run.ts, before it runs each bench). */
export function beginBench(name: string): void {
  bench = name;
  started = performance.now();
}

/** Logs that the current bench reached `what`, with the seconds since it began. */
export function phase(what: string): void {
  console.error(`#   [${bench} +${((performance.now() - started) / 1000).toFixed(1)} s] ${what}`);
}
