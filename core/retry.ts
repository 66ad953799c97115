/** How a failing operation is tried again: pauses double from `baseMs` up to `maxMs`. */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** Give up once this much time has passed since the first attempt (Infinity: never). */
  giveUpAfterMs: number;
}

/** The default: 100 ms doubling to 5 s, giving up after a minute. */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 100, maxMs: 5_000, giveUpAfterMs: 60_000 };

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  /** Whether this failure may pass if tried again; other failures are thrown at once. */
  retryable: (err: unknown) => boolean;
  /** Stops waiting and throws the last failure when aborted (shutdown). */
  signal?: AbortSignal;
  /** Called before each pause, e.g. to count the retry and log it once. */
  onRetry?: (err: unknown, attempt: number, pauseMs: number) => void;
}

/**
 * The one retry policy. Runs `fn`; while it fails with a retryable error, waits and runs it
 * again. Gives up, throwing the last error, when the next pause would pass `giveUpAfterMs`
 * or `signal` is aborted. Callers turn that into their own give-up path (an unacknowledged
 * message that the broker redelivers, a dead letter, a health report).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const policy = { ...DEFAULT_RETRY, ...opts.policy };
  const start = Date.now();
  let pause = policy.baseMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!opts.retryable(err) || opts.signal?.aborted || Date.now() - start + pause > policy.giveUpAfterMs) throw err;
      opts.onRetry?.(err, attempt, pause);
      // Held open: the caller awaits this retry, and an unref'd pause could let the process
      // exit with the work unsettled (a CLI, a test, a service whose sockets all dropped).
      await sleep(pause, opts.signal);
      if (opts.signal?.aborted) throw err;
      pause = Math.min(pause * 2, policy.maxMs);
    }
  }
}

/**
 * Resolves after `ms`, or at once when `signal` aborts. The timer holds the process open like
 * any pending work (a CLI retrying its database must not exit mid-retry); shutdown aborts it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
