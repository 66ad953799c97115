import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flush, sendOrQueue, type OutboxItem, type OutboxStore } from '../../web/src/worker/outbox.js';

function memoryStore(): OutboxStore & { map: Map<string, OutboxItem> } {
  const map = new Map<string, OutboxItem>();
  return {
    map,
    get: async (k) => map.get(k),
    set: async (k, v) => void map.set(k, v),
    del: async (k) => void map.delete(k),
    keys: async () => [...map.keys()],
  };
}

const item = (key: string, at: string): OutboxItem => ({ key, clueCode: 'C1', note: 'n', photos: [], queuedAt: at });

test('a handling sent while offline is queued, then sent exactly once when online', async () => {
  const store = memoryStore();
  let online = false;
  const sent: string[] = [];
  const send = async (i: OutboxItem) => {
    if (!online) throw new TypeError('Failed to fetch');
    sent.push(i.key);
  };
  assert.equal(await sendOrQueue(store, send, item('a', '2026-01-01T00:00:00Z')), 'queued');
  assert.equal(await sendOrQueue(store, send, item('b', '2026-01-01T00:00:01Z')), 'queued');
  assert.equal(await flush(store, send), 2);
  online = true;
  // Two overlapping flushes (online event and reload) share one run.
  const [left1, left2] = await Promise.all([flush(store, send), flush(store, send)]);
  assert.equal(left1, 0);
  assert.equal(left2, 0);
  assert.deepEqual(sent, ['a', 'b']);
});

test('a refusal by the server is not retried and reaches the caller', async () => {
  const store = memoryStore();
  const send = async () => {
    throw new Error('GW_CLUE_STATE');
  };
  await assert.rejects(sendOrQueue(store, send, item('a', '2026-01-01T00:00:00Z')), /GW_CLUE_STATE/);
  assert.equal(store.map.size, 0);
});
