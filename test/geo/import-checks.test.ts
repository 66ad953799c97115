/** The pure parts of the import checks: parsing, coordinate sanity, parent judgement, validity reasons. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWgs84 } from '../../geo/import/coordinates.js';
import { parseValidityReason } from '../../geo/import/geometry-checks.js';
import { judgeParents } from '../../geo/import/parent-checks.js';
import { parseLayerFile } from '../../geo/import/parse.js';
import { ProblemLog, PROBLEMS_PER_KIND } from '../../geo/import/report.js';

const square = (x: number, y: number, z?: number) => {
  const p = (a: number, b: number) => (z === undefined ? [a, b] : [a, b, z]);
  return { type: 'Polygon', coordinates: [[p(x, y), p(x + 1, y), p(x + 1, y + 1), p(x, y)]] };
};

test('parseLayerFile: DataV files (numeric adcode) are read as they are; Z values are dropped', () => {
  const log = new ProblemLog();
  const parsed = parseLayerFile(
    { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { adcode: 330203, name: '海曙区', parent: { adcode: 330200 } }, geometry: square(121, 29, 5) }] },
    'districts',
    log,
  );
  assert.deepEqual(log.problems, []);
  assert.equal(parsed!.total, 1);
  assert.deepEqual(
    { code: parsed!.features[0]!.code, name: parsed!.features[0]!.name, parent: parsed!.features[0]!.parentCode, first: (parsed!.features[0]!.geometry.coordinates as number[][][])[0]![0] },
    { code: '330203', name: '海曙区', parent: null, first: [121, 29] },
  );
});

test('checkWgs84: Chinese WGS84 passes; projected metres and swapped pairs are fatal, one problem per kind', () => {
  const log = new ProblemLog();
  const parse = (features: unknown[]) => parseLayerFile({ type: 'FeatureCollection', features }, 'towns', log)!.features;
  const f = (code: string, geometry: unknown) => ({ type: 'Feature', properties: { code, name: code }, geometry });
  checkWgs84(parse([f('ok', square(121.5, 29.8)), f('west', square(73.5, 39)), f('south', square(109, 18))]), log);
  assert.equal(log.problems.length, 0);
  checkWgs84(parse([f('m1', square(500_000, 3_300_000)), f('m2', square(-5_000_000, 10)), f('s1', square(29.8, 121.5)), f('ok', square(121, 29))]), log);
  assert.deepEqual(
    log.problems.map((p) => [p.kind, p.severity, (p.details as { count: number }).count]),
    [
      ['swapped-coordinates', 'fatal', 1],
      ['projected-coordinates', 'fatal', 2],
    ],
  );
});

test('judgeParents: mismatch, unknown, orphan (dropped only for grid cells)', () => {
  const facts = [
    { ord: 0, code: 'ok', declared: 'A', declaredKnown: true, containedBy: 'A' },
    { ord: 1, code: 'moved', declared: 'A', declaredKnown: true, containedBy: 'B' },
    { ord: 2, code: 'outside', declared: 'A', declaredKnown: true, containedBy: null },
    { ord: 3, code: 'ghost', declared: 'Z', declaredKnown: false, containedBy: 'B' },
    { ord: 4, code: 'spatial', declared: null, declaredKnown: null, containedBy: 'B' },
    { ord: 5, code: 'orphan', declared: null, declaredKnown: null, containedBy: null },
  ];
  const towns = judgeParents(facts, 'towns', 'districts');
  assert.deepEqual(
    towns.problems.map((p) => [p.feature, p.kind, p.severity]),
    [
      ['moved', 'parent-mismatch', 'warning'],
      ['outside', 'parent-mismatch', 'warning'],
      ['ghost', 'unknown-parent', 'warning'],
      ['orphan', 'no-parent', 'warning'],
    ],
  );
  assert.deepEqual(towns.drop, []);
  const cells = judgeParents(facts, 'grids', 'communities');
  assert.deepEqual(cells.drop, [5]);
  assert.equal(cells.problems.at(-1)!.severity, 'error');
  assert.match(towns.problems[1]!.message, /lies outside every district/);
});

test('parseValidityReason splits the reason from its location', () => {
  assert.deepEqual(parseValidityReason('Self-intersection[121.5150000001 29.835]'), { reason: 'Self-intersection', at: [121.515, 29.835] });
  assert.deepEqual(parseValidityReason('Too few points in geometry component'), { reason: 'Too few points in geometry component', at: null });
});

test('ProblemLog caps each kind and counts what it left out', () => {
  const log = new ProblemLog();
  for (let i = 0; i < PROBLEMS_PER_KIND + 5; i++) log.add({ kind: 'overlap', severity: 'warning', message: String(i) });
  log.add({ kind: 'gap', severity: 'warning', message: 'g' });
  assert.equal(log.problems.length, PROBLEMS_PER_KIND + 1);
  assert.deepEqual(log.summary, { fatal: 0, errors: 0, warnings: PROBLEMS_PER_KIND + 6, omitted: 5 });
});
