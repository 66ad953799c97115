import type { Logger } from './logger.js';

/** A periodic job started by `every`. */
export interface Periodic {
  /** Runs the job now (unless a run is in progress, which is awaited instead). */
  runNow(): Promise<void>;
  /** Stops the timer and waits for a run in progress to finish. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The one timer helper: runs `fn` every `intervalMs`. A tick that comes while the last run is
 * still going is skipped, so a slow job never piles up; a failure is logged with the job's name
 * and the next tick tries again. `fn` gets a signal that aborts on `stop`, so long jobs can end
 * early; `stop` waits for the run in progress. The timer never holds the process open.
 */
export function every(name: string, intervalMs: number, fn: (signal: AbortSignal) => Promise<void>, log: Logger): Periodic {
  const stopped = new AbortController();
  let running: Promise<void> | undefined;
  const run = (): Promise<void> =>
    (running ??= Promise.resolve()
      .then(() => fn(stopped.signal))
      .catch((err: unknown) => log.warn({ err, job: name }, `${name} failed; the next run tries again`))
      .finally(() => (running = undefined)));
  const timer = setInterval(() => {
    if (!stopped.signal.aborted) void run();
  }, intervalMs);
  timer.unref();
  return {
    runNow: () => (stopped.signal.aborted ? Promise.resolve() : run()),
    async stop() {
      stopped.abort();
      clearInterval(timer);
      await running;
    },
  };
}
