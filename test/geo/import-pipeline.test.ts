/** The import transaction: versions, activation (rollback), all-or-nothing, CRS conversion. */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import gcoordModule from 'gcoord';
import { activateImport } from '../../geo/import/activate.js';
import { importLayer } from '../../geo/import/import.js';
import { getImport, listImports } from '../../geo/import/list.js';
import { GwError } from '../../core/errors.js';
import { CONTEXT } from '../fixtures/geo/cases.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';

const gcoord = gcoordModule as unknown as typeof gcoordModule.default;
let db: TestDb;
before(async () => {
  db = await getTestDb();
});
after(async () => {
  await db.close();
});
beforeEach(async () => {
  await resetDb(db.pool);
});

const activeIds = async (layer: string) =>
  (await db.pool.query<{ id: number }>('SELECT id::int FROM geo_imports WHERE layer = $1 AND active', [layer])).rows.map((r) => r.id);

test('a second import of a layer becomes active; the first stays and can be re-activated', async () => {
  const first = await importLayer(db.pool, CONTEXT.districts, { layer: 'districts', source: 'v1' });
  const renamed = structuredClone(CONTEXT.districts);
  renamed.features[0]!.properties.name = '测试区(新)';
  const second = await importLayer(db.pool, renamed, { layer: 'districts', source: 'v2', createdBy: 'tester' });
  assert.equal(second.previousImportId, first.importId);
  assert.deepEqual(await activeIds('districts'), [second.importId]);
  const names = await db.pool.query('SELECT import_id::int, name FROM jurisdictions ORDER BY import_id');
  assert.deepEqual(names.rows, [
    { import_id: first.importId, name: '测试区' },
    { import_id: second.importId, name: '测试区(新)' },
  ]);

  const back = await activateImport(db.pool, first.importId!);
  assert.deepEqual(back, { layer: 'districts', previousImportId: second.importId });
  assert.deepEqual(await activeIds('districts'), [first.importId]);

  const list = await listImports(db.pool, 'districts');
  assert.deepEqual(
    list.map((i) => [i.id, i.source, i.active, i.createdBy, i.status, i.featureCount]),
    [
      [second.importId, 'v2', false, 'tester', 'imported', 1],
      [first.importId, 'v1', true, null, 'imported', 1],
    ],
  );
  assert.equal((await getImport(db.pool, second.importId!)).report.source, 'v2');
});

test('activating or reading an unknown import is GW_GEO_IMPORT_NOT_FOUND', async () => {
  await assert.rejects(activateImport(db.pool, 999), (e: unknown) => e instanceof GwError && e.code === 'GW_GEO_IMPORT_NOT_FOUND');
  await assert.rejects(getImport(db.pool, 999), (e: unknown) => e instanceof GwError && e.code === 'GW_GEO_IMPORT_NOT_FOUND');
});

test('a rejection found inside the transaction leaves nothing behind and keeps the previous import active', async () => {
  await importLayer(db.pool, CONTEXT.districts, { layer: 'districts', source: 'ctx' });
  const orphan = (code: string, x: number) => ({
    type: 'Feature',
    properties: { code, name: code },
    geometry: { type: 'Polygon', coordinates: [[[x, 29], [x + 0.01, 29], [x + 0.01, 29.01], [x, 29]]] },
  });
  // No communities are active, so cells without parentCode cannot land: all dropped → fatal.
  const r = await importLayer(db.pool, { type: 'FeatureCollection', features: [orphan('a', 121), orphan('b', 121.1)] }, { layer: 'grids', source: 'orphans' });
  assert.equal(r.importId, null);
  assert.equal(r.report.status, 'rejected');
  assert.deepEqual(
    r.report.problems.map((p) => [p.severity, p.kind, p.feature ?? null]),
    [
      ['error', 'no-parent', 'a'],
      ['error', 'no-parent', 'b'],
      ['fatal', 'no-features', null],
    ],
  );
  const counts = await db.pool.query(
    "SELECT (SELECT count(*)::int FROM geo_imports WHERE layer = 'grids') AS imports, (SELECT count(*)::int FROM grid_cells) AS cells",
  );
  assert.deepEqual(counts.rows[0], { imports: 0, cells: 0 });
  assert.equal((await activeIds('districts')).length, 1);
});

for (const crs of ['gcj02', 'bd09'] as const) {
  test(`a ${crs} file lands where its WGS84 original does (within 0.25 m: the inverse conversion is iterative)`, async () => {
    const original = CONTEXT.districts;
    const shifted = structuredClone(original);
    const from = crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09;
    const ring = (shifted.features[0]!.geometry as { coordinates: [number, number][][] }).coordinates[0]!;
    for (const p of ring) Object.assign(p, gcoord.transform([p[0], p[1]], gcoord.WGS84, from));
    assert.ok(Math.abs(ring[0]![0] - 121.5) > 0.003, `${crs} really moves the square`);
    const a = await importLayer(db.pool, original, { layer: 'districts', source: 'wgs84' });
    const b = await importLayer(db.pool, shifted, { layer: 'districts', source: crs, crs });
    const { rows } = await db.pool.query<{ d: number }>(
      'SELECT ST_HausdorffDistance(a.geom, b.geom) AS d FROM jurisdictions a, jurisdictions b WHERE a.import_id = $1 AND b.import_id = $2',
      [a.importId, b.importId],
    );
    assert.ok(rows[0]!.d < 2.5e-6, `Hausdorff distance ${rows[0]!.d}° between the WGS84 and the converted ${crs} square`);
    assert.equal(b.report.crs, crs);
  });
}

test('progress is reported for every phase, staging in batches', async () => {
  const seen: string[] = [];
  await importLayer(db.pool, CONTEXT.districts, { layer: 'districts', source: 'p', onProgress: (phase, done, total) => seen.push(`${phase} ${done}/${total}`) });
  assert.deepEqual(seen, ['parse 0/1', 'parse 1/1', 'stage 1/1', 'geometry 0/1', 'parents 0/1', 'overlaps 0/1', 'gaps 0/1', 'write 0/1', 'write 1/1']);
});
