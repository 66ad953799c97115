import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruCache } from '../../server/spatial/lru-cache.js';

test('LruCache keeps the most recently used entries up to its capacity', () => {
  const c = new LruCache<string, number>(2);
  c.set('a', 1);
  c.set('b', 2);
  assert.equal(c.get('a'), 1); // a is now younger than b
  c.set('c', 3);
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
  assert.equal(c.size, 2);
  c.set('a', 10); // replacing does not grow it
  assert.equal(c.size, 2);
  assert.equal(c.get('a'), 10);
  c.deleteWhere((k) => k === 'a');
  assert.equal(c.get('a'), undefined);
  assert.equal(c.size, 1);
  assert.throws(() => new LruCache(0), RangeError);
});
