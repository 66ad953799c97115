import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oncePerFrame } from '../../web/src/once-per-frame.js';

/** Frames driven by hand: `schedule` queues, `frame()` runs what was queued before it, as the browser does. */
function frames() {
  let queue: (() => void)[] = [];
  return {
    schedule: (run: () => void) => void queue.push(run),
    frame() {
      const due = queue;
      queue = [];
      for (const run of due) run();
    },
    get queued() {
      return queue.length;
    },
  };
}

test('once per frame: a burst of requests between two frames draws once, at the frame', () => {
  const f = frames();
  let draws = 0;
  const changed = oncePerFrame(() => draws++, f.schedule);
  for (let i = 0; i < 5_000; i++) changed();
  assert.equal(draws, 0, 'nothing is drawn before the frame');
  assert.equal(f.queued, 1, 'one frame requested for the whole burst');
  f.frame();
  assert.equal(draws, 1);
  f.frame();
  assert.equal(draws, 1, 'no request, no draw');
});

test('once per frame: a request after a frame (or during its draw) draws again at the next one', () => {
  const f = frames();
  let draws = 0;
  let again = true;
  const changed = oncePerFrame(() => {
    draws++;
    if (again) {
      again = false;
      changed();
    }
  }, f.schedule);
  changed();
  f.frame();
  assert.equal(draws, 1);
  assert.equal(f.queued, 1, 'the request made while drawing waits for the next frame');
  f.frame();
  assert.equal(draws, 2);
  changed();
  f.frame();
  assert.equal(draws, 3);
});
