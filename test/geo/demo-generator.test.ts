/** The demo-city generator: pure, deterministic from its seed, exact unions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unionOfTiles } from '../../geo/demo/assemble.js';
import { generateDemoCity } from '../../geo/demo/city.js';
import { DEMO_LAYER_FILES, SOURCE_FILE, readDemoFile, serialiseCollection } from '../../geo/demo/files.js';
import { signedArea2, type MultiPolygonCoords } from '../../geo/demo/geometry.js';
import { DISTRICT_PLANS } from '../../geo/demo/plan.js';
import { createRng } from '../../geo/demo/prng.js';
import { demoTowns } from '../../geo/demo/towns.js';

test('demo generator: regenerating from the seed reproduces the committed files byte for byte', () => {
  const city = generateDemoCity(JSON.parse(readDemoFile(SOURCE_FILE)));
  for (const { layer, file } of DEMO_LAYER_FILES) {
    assert.ok(serialiseCollection(city[layer]) === readDemoFile(file), `${file} differs from what the seed generates (run npx tsx geo/demo/regen.ts and review)`);
  }
});

test('demo generator: the PRNG is deterministic, and forks do not depend on use of the parent', () => {
  const a = createRng('s');
  const b = createRng('s');
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => createRng('t').next()));
  const fresh = createRng('s').fork('x').next();
  assert.equal(a.fork('x').next(), fresh);
});

const square = (x: number, y: number): MultiPolygonCoords => [
  [
    [
      [x, y],
      [x + 1, y],
      [x + 1, y + 1],
      [x, y + 1],
      [x, y],
    ],
  ],
];

test('unionOfTiles: shared edges cancel, leaving the outline (and holes) exactly', () => {
  const block = unionOfTiles([square(0, 0), square(1, 0), square(0, 1), square(1, 1)]);
  assert.equal(block.length, 1);
  assert.equal(block[0]!.length, 1);
  assert.equal(signedArea2(block[0]![0]!), 8); // 2 × area 4, counter-clockwise
  // A ring of 8 squares around an empty middle: one outer ring, one hole.
  const ring = unionOfTiles([0, 1, 2].flatMap((x) => [0, 1, 2].filter((y) => x !== 1 || y !== 1).map((y) => square(x, y))));
  assert.equal(ring.length, 1);
  assert.deepEqual(ring[0]!.map((r) => signedArea2(r)), [18, -2]);
  // Two squares touching at a corner stay two polygons.
  assert.equal(unionOfTiles([square(0, 0), square(1, 1)]).length, 2);
});

test('demoTowns: the 156 towns with their districts, 街道/镇/乡 names, codes under their district', () => {
  const towns = demoTowns();
  assert.equal(towns.length, 156);
  assert.equal(new Set(towns.map((t) => t.code)).size, 156);
  for (const t of towns) {
    assert.ok(t.code.startsWith(t.districtCode) && t.code.length === 9, t.code);
    assert.match(t.name, /(街道|镇|乡)$/);
  }
  assert.deepEqual(
    DISTRICT_PLANS.map((p) => towns.filter((t) => t.districtCode === p.code && t.name.endsWith('街道')).length),
    DISTRICT_PLANS.map((p) => p.streets),
  );
});
