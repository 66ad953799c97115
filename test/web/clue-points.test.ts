import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClueColumnStore, type ClueColumns } from '../../web/src/clue-feed-bin.js';
import { CluePoints } from '../../web/src/command/clue-points.js';
import { SEVERITY_RADIUS, statusColour } from '../../web/src/command/clue-style.js';

/** Three clues as the feed decodes them. */
function columns(): ClueColumns {
  return {
    seq: '1',
    count: 3,
    lon: Float32Array.from([121.1, 121.2, 121.3]),
    lat: Float32Array.from([29.1, 29.2, 29.3]),
    status: Uint8Array.from([0, 1, 2]),
    severity: Uint8Array.from([0, 2, 4]),
    item: Uint16Array.from([0, 0, 0]),
    statuses: ['new', 'dispatched', 'closed'],
    severities: ['info', 'low', 'medium', 'high', 'critical'],
    items: [''],
    codes: ['A', 'B', 'C'],
  };
}

const row = (p: CluePoints, i: number) => {
  const a = p.data.attributes;
  return { lon: a.getPosition.value[2 * i], lat: a.getPosition.value[2 * i + 1], rgba: [...a.getFillColor.value.subarray(4 * i, 4 * i + 4)], radius: a.getRadius.value[i] };
};

test('clue points: one row per clue, coloured by status and sized by severity, as the accessors did', () => {
  const p = new CluePoints(new ClueColumnStore(columns()));
  assert.equal(p.data.length, 3);
  assert.deepEqual(row(p, 1), { lon: Math.fround(121.2), lat: Math.fround(29.2), rgba: statusColour('dispatched', false), radius: SEVERITY_RADIUS.medium });
  assert.deepEqual(row(p, 2).rgba, statusColour('closed', false));
  assert.equal(row(p, 2).radius, SEVERITY_RADIUS.critical);
});

test('clue points: a diff patches its row and gives new data; nothing changed keeps the same data', () => {
  const store = new ClueColumnStore(columns());
  const p = new CluePoints(store);
  const before = p.data;
  p.select(null);
  assert.equal(p.data, before, 'no change: the very same object, so deck.gl uploads nothing');
  store.upsert({ code: 'B', status: 'closed', severity: 'critical', itemCode: null, position: { lon: 121.5, lat: 29.5 } }, '2');
  p.update('B');
  assert.notEqual(p.data, before);
  assert.notEqual(p.data.attributes.getPosition, before.attributes.getPosition, 'a new attribute object: deck.gl skips one it already has');
  assert.deepEqual(row(p, 1), { lon: Math.fround(121.5), lat: Math.fround(29.5), rgba: statusColour('closed', false), radius: SEVERITY_RADIUS.critical });
  assert.deepEqual(row(p, 0).rgba, statusColour('new', false), 'the other rows are untouched');
});

test('clue points: new clues are appended past the first capacity; selection recolours two rows', () => {
  const store = new ClueColumnStore(columns());
  const p = new CluePoints(store);
  for (let k = 0; k < 40; k++) {
    store.upsert({ code: `N-${k}`, status: 'new', severity: 'high', itemCode: 'x', position: { lon: 121 + k / 100, lat: 29 } }, String(3 + k));
    p.update(`N-${k}`);
  }
  assert.equal(p.data.length, 43);
  assert.equal(p.data.attributes.getRadius.value.length, 43);
  assert.deepEqual(row(p, 42), { lon: Math.fround(121.39), lat: 29, rgba: statusColour('new', false), radius: SEVERITY_RADIUS.high });
  p.select('A');
  assert.deepEqual(row(p, 0).rgba, statusColour('new', true));
  p.select('N-39');
  assert.deepEqual(row(p, 0).rgba, statusColour('new', false), 'the one selected before is drawn as it was');
  assert.deepEqual(row(p, 42).rgba, statusColour('new', true));
});

test('clue points: a window draws only the clues inside it, and picking indices map back to their codes', () => {
  const store = new ClueColumnStore(columns());
  const p = new CluePoints(store);
  p.setWindow([121.15, 29.15, 121.35, 29.35]);
  assert.equal(p.data.length, 2, 'B and C are inside, A is not');
  assert.deepEqual([p.codeAt(0), p.codeAt(1)], ['B', 'C']);
  assert.deepEqual(row(p, 0), { lon: Math.fround(121.2), lat: Math.fround(29.2), rgba: statusColour('dispatched', false), radius: SEVERITY_RADIUS.medium });
  // A diff moving A into the window draws it; one moving C out takes it away.
  store.upsert({ code: 'A', status: 'new', severity: 'info', itemCode: null, position: { lon: 121.25, lat: 29.25 } }, '2');
  p.update('A');
  store.upsert({ code: 'C', status: 'closed', severity: 'critical', itemCode: null, position: { lon: 122.5, lat: 30.5 } }, '3');
  p.update('C');
  assert.deepEqual(Array.from({ length: p.data.length }, (_, i) => p.codeAt(i)), ['A', 'B']);
  // A new clue inside the window is drawn too.
  store.upsert({ code: 'D', status: 'new', severity: 'high', itemCode: null, position: { lon: 121.3, lat: 29.3 } }, '4');
  p.update('D');
  assert.deepEqual(Array.from({ length: p.data.length }, (_, i) => p.codeAt(i)), ['A', 'B', 'D']);
  p.setWindow(null);
  assert.equal(p.data.length, 4);
  assert.equal(p.codeAt(3), 'D');
});
