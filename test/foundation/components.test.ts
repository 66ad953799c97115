import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HealthRegistry } from '../../core/health.js';
import { createLogger } from '../../core/logger.js';
import { startComponents, type Component } from '../../core/components.js';

const log = createLogger('silent');

function recorder() {
  const calls: string[] = [];
  const part = (name: string, fail?: 'start' | 'stop'): Component => ({
    name,
    async start() {
      calls.push(`start ${name}`);
      if (fail === 'start') throw new Error(`${name} cannot start`);
    },
    async stop() {
      calls.push(`stop ${name}`);
      if (fail === 'stop') throw new Error(`${name} cannot stop`);
    },
    health: () => ({ status: 'ok' }),
  });
  return { calls, part };
}

test('parts start in list order, report health by name and stop in reverse, once', async () => {
  const { calls, part } = recorder();
  const health = new HealthRegistry();
  const started = await startComponents([part('db'), part('sink'), part('mqtt')], health, log);
  assert.deepEqual(started.names, ['db', 'sink', 'mqtt']);
  assert.deepEqual(Object.keys((await health.report()).components), ['db', 'sink', 'mqtt']);
  await Promise.all([started.stop(), started.stop()]);
  assert.deepEqual(calls, ['start db', 'start sink', 'start mqtt', 'stop mqtt', 'stop sink', 'stop db']);
});

test('a part that fails to start stops the ones before it and the failure is thrown', async () => {
  const { calls, part } = recorder();
  await assert.rejects(startComponents([part('db'), part('sink'), part('mqtt', 'start'), part('http')], new HealthRegistry(), log), /mqtt cannot start/);
  assert.deepEqual(calls, ['start db', 'start sink', 'start mqtt', 'stop sink', 'stop db']);
});

test('a part that fails to stop does not keep the others running', async () => {
  const { calls, part } = recorder();
  const started = await startComponents([part('db'), part('sink', 'stop'), part('mqtt')], new HealthRegistry(), log);
  await started.stop();
  assert.deepEqual(calls.slice(3), ['stop mqtt', 'stop sink', 'stop db']);
});
