import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeLabels, type LabelCandidate } from '../../web/src/command/label-placement.js';

/** A projection of 1 pixel per unit: positions are pixels. */
const px = (p: [number, number]) => ({ x: p[0], y: p[1] });
const label = (name: string, x: number, y: number, size = 10): LabelCandidate => ({ name, position: [x, y], size });

test('label placement: a label that would overlap one placed before it is left out, the first wins', () => {
  const district = label('镇海区', 100, 100, 15);
  const town = label('蛟川街道', 110, 104, 12);
  const far = label('庄市街道', 300, 100, 12);
  assert.deepEqual(placeLabels([district, town, far], px, 800, 600), [district, far]);
  // The order is the priority: the town first, it keeps its place and the district goes.
  assert.deepEqual(placeLabels([town, district, far], px, 800, 600), [town, far]);
});

test('label placement: labels side by side with room between them are all kept', () => {
  // Three characters at 10 px: 30 px wide plus the gap; 50 px apart leaves room.
  const row = [0, 1, 2, 3].map((i) => label('甲乙丙', 100 + 50 * i, 100));
  assert.deepEqual(placeLabels(row, px, 800, 600), row);
  // Stacked 10 px apart (one line of 10 px plus the gaps) they collide: every other one stays.
  const column = [0, 1, 2, 3].map((i) => label('甲乙丙', 100, 100 + 10 * i));
  assert.deepEqual(placeLabels(column, px, 800, 600), [column[0], column[2]]);
});

test('label placement: labels outside the view are not drawn and take no room', () => {
  const outside = label('界外', -200, 100);
  const inside = label('界内', 20, 100);
  assert.deepEqual(placeLabels([outside, inside], px, 800, 600), [inside]);
  // A collision across bucket borders (64 px cells) is still seen.
  const a = label('甲乙丙丁', 60, 60);
  const b = label('甲乙丙丁', 70, 66);
  assert.deepEqual(placeLabels([a, b], px, 800, 600), [a]);
});
