import assert from 'node:assert/strict';
import { test } from 'node:test';
import { every } from '../../core/every.js';
import { createLogger } from '../../core/logger.js';
import { retry } from '../../core/retry.js';

const log = createLogger('silent');
const transient = (err: unknown) => (err as Error).message === 'transient';

test('retry tries a transient failure again until it passes, with doubling pauses', async () => {
  const pauses: number[] = [];
  let n = 0;
  const r = await retry(
    async () => {
      if (++n < 4) throw new Error('transient');
      return n;
    },
    { retryable: transient, policy: { baseMs: 1, maxMs: 4, giveUpAfterMs: 10_000 }, onRetry: (_e, _a, p) => pauses.push(p) },
  );
  assert.equal(r, 4);
  assert.deepEqual(pauses, [1, 2, 4]);
});

test('retry throws a failure that is not retryable at once', async () => {
  let n = 0;
  await assert.rejects(retry(async () => { n++; throw new Error('bad data'); }, { retryable: transient }), /bad data/);
  assert.equal(n, 1);
});

test('retry gives up after giveUpAfterMs, and at once when aborted', async () => {
  let n = 0;
  await assert.rejects(retry(async () => { n++; throw new Error('transient'); }, { retryable: transient, policy: { baseMs: 5, maxMs: 5, giveUpAfterMs: 30 } }), /transient/);
  assert.ok(n >= 2 && n <= 8, `tried ${n} times within the bound`);
  const stop = new AbortController();
  stop.abort();
  let m = 0;
  await assert.rejects(retry(async () => { m++; throw new Error('transient'); }, { retryable: transient, signal: stop.signal }), /transient/);
  assert.equal(m, 1);
});

test('every skips ticks while a run is in progress, survives a failing run, and stop waits for the run', async () => {
  let runs = 0;
  let active = 0;
  let maxActive = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const job = every('test job', 2, async () => {
    runs++;
    active++;
    maxActive = Math.max(maxActive, active);
    try {
      if (runs === 1) throw new Error('first run fails');
      await gate;
    } finally {
      active--;
    }
  }, log);
  while (runs < 2) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 30)); // many ticks pass while run 2 waits on the gate
  assert.equal(runs, 2, 'no run started while one was in progress');
  let stopped = false;
  const stopping = job.stop().then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(stopped, false, 'stop waits for the run in progress');
  release();
  await stopping;
  assert.equal(active, 0);
  assert.equal(maxActive, 1);
  const after = runs;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(runs, after, 'no run after stop');
});
