/**
 * Golden import fixtures: each case under test/fixtures/geo/import/<case>/ is imported into
 * PostGIS (after its context layers) and the report must equal expected-report.json.
 * Regenerate with `npm run fixtures:geo` and review the diff.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CASES } from '../fixtures/geo/cases.js';
import { runCase } from '../fixtures/geo/run-case.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';

const root = path.join(import.meta.dirname, '../fixtures/geo/import');
let db: TestDb;
before(async () => {
  db = await getTestDb();
});
after(async () => {
  await db.close();
});

for (const c of CASES) {
  test(`import golden ${c.name}: ${c.about}`, async () => {
    await resetDb(db.pool);
    const input = fs.readFileSync(path.join(root, c.name, 'input.geojson'), 'utf8');
    const expected = JSON.parse(fs.readFileSync(path.join(root, c.name, 'expected-report.json'), 'utf8'));
    const result = await runCase(db.pool, c, input);
    assert.deepEqual(result.report, expected);

    const { rows } = await db.pool.query<{ id: number; active: boolean; report: unknown }>(
      'SELECT id::int, active, report FROM geo_imports WHERE layer = $1 ORDER BY id',
      [c.layer],
    );
    if (result.importId === null) {
      // Rejected: nothing of it landed, the context layers are untouched.
      assert.equal(rows.length, c.context.includes(c.layer as never) ? 1 : 0);
    } else {
      assert.deepEqual(rows.at(-1), { id: result.importId, active: true, report: expected });
    }
  });
}

test('import golden spatial-parent: the stored parent is the district containing each town', async () => {
  await resetDb(db.pool);
  const c = CASES.find((x) => x.name === 'spatial-parent')!;
  await runCase(db.pool, c, fs.readFileSync(path.join(root, c.name, 'input.geojson'), 'utf8'));
  const { rows } = await db.pool.query("SELECT code, parent_code FROM jurisdictions WHERE level = 'town' ORDER BY code");
  assert.deepEqual(rows, [
    { code: '330299001', parent_code: '330299' },
    { code: '330299002', parent_code: '330299' },
  ]);
});

test('import golden: every case directory is a case in cases.ts', () => {
  const dirs = fs.readdirSync(root).sort();
  assert.deepEqual(dirs, CASES.map((c) => c.name).sort());
});
