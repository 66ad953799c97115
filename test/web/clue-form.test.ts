import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClueColumnStore } from '../../web/src/clue-feed-bin.js';
import { CLUSTER_BELOW_ZOOM, POINTS_BUDGET, clueForm } from '../../web/src/command/clue-form.js';

test('clue form: clusters when zoomed out or when more clues are in view than the points budget', () => {
  assert.equal(clueForm(CLUSTER_BELOW_ZOOM - 0.1, 10), 'clusters');
  assert.equal(clueForm(CLUSTER_BELOW_ZOOM, 10), 'points');
  assert.equal(clueForm(16, POINTS_BUDGET), 'points');
  assert.equal(clueForm(16, POINTS_BUDGET + 1), 'clusters');
  // Before the feed has loaded the zoom alone decides.
  assert.equal(clueForm(14, null), 'points');
  assert.equal(clueForm(8, null), 'clusters');
});

test('clue store: counts the clues in a box, edges included, appended clues too', () => {
  const store = new ClueColumnStore({
    seq: '1',
    count: 4,
    lon: Float32Array.from([121.1, 121.2, 121.3, 121.4]),
    lat: Float32Array.from([29.1, 29.2, 29.3, 29.4]),
    status: Uint8Array.from([0, 0, 0, 0]),
    severity: Uint8Array.from([0, 0, 0, 0]),
    item: Uint16Array.from([0, 0, 0, 0]),
    statuses: ['new'],
    severities: ['low'],
    items: [''],
    codes: ['A', 'B', 'C', 'D'],
  });
  const f = Math.fround;
  assert.equal(store.countIn(f(121.2), f(29.2), f(121.3), f(29.3)), 2, 'both edges count');
  assert.equal(store.countIn(121.0, 29.0, 122.0, 30.0), 4);
  assert.equal(store.countIn(122.0, 30.0, 123.0, 31.0), 0);
  store.upsert({ code: 'E', status: 'new', severity: 'low', itemCode: null, position: { lon: 121.25, lat: 29.25 } }, '2');
  assert.equal(store.countIn(f(121.2), f(29.2), f(121.3), f(29.3)), 3, 'an appended clue is counted');
});
