/**
 * The demo city seeded through the import pipeline, checked in PostGIS: counts, validity,
 * children tiling their parents, cell sizes, hierarchical codes, every zone type.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { seedDemoCity } from '../../geo/demo/seed.js';
import { DISTRICT_PLANS } from '../../geo/demo/plan.js';
import { ZONE_TYPES } from '../../geo/types.js';
import type { ImportResult } from '../../geo/import/import.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let seeded: ImportResult[];
before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  seeded = await seedDemoCity(db.pool);
});
after(async () => {
  await db.close();
});

const q = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await db.pool.query<T>(sql, params)).rows;

test('demo city: every layer imports through the pipeline with no problem at all', () => {
  assert.deepEqual(
    seeded.map((r) => [r.report.layer, r.report.status, r.report.summary]),
    ['districts', 'towns', 'communities', 'grids', 'zones'].map((l) => [l, 'imported', { fatal: 0, errors: 0, warnings: 0, omitted: 0 }]),
  );
  // The overlap and gap checks really ran on every layer that tiles another.
  for (const r of seeded.filter((x) => x.report.layer !== 'districts' && x.report.layer !== 'zones')) {
    assert.deepEqual(r.report.checks, { geometry: 'ran', parents: 'ran', overlaps: 'ran', gaps: 'ran' });
  }
});

test('demo city: 10 districts, 156 towns as planned, communities, ≥ 10,000 grid cells', async () => {
  const [counts] = await q(
    `SELECT (SELECT count(*)::int FROM jurisdictions WHERE level = 'district') AS districts,
            (SELECT count(*)::int FROM jurisdictions WHERE level = 'town') AS towns,
            (SELECT count(*)::int FROM jurisdictions WHERE level = 'community') AS communities,
            (SELECT count(*)::int FROM grid_cells) AS cells`,
  );
  assert.equal(counts!.districts, 10);
  assert.equal(counts!.towns, 156);
  assert.ok((counts!.communities as number) > 1500, `${counts!.communities} communities`);
  assert.ok((counts!.cells as number) >= 10_000, `${counts!.cells} cells`);
  const perDistrict = await q<{ parent_code: string; n: number }>(
    "SELECT parent_code, count(*)::int AS n FROM jurisdictions WHERE level = 'town' GROUP BY parent_code ORDER BY parent_code",
  );
  assert.deepEqual(
    perDistrict.map((r) => [r.parent_code, r.n]),
    DISTRICT_PLANS.map((p) => [p.code, p.towns]).sort(),
  );
});

test('demo city: every geometry is valid', async () => {
  const [r] = await q(
    `SELECT (SELECT count(*)::int FROM jurisdictions WHERE NOT ST_IsValid(geom)) + (SELECT count(*)::int FROM grid_cells WHERE NOT ST_IsValid(geom))
          + (SELECT count(*)::int FROM zones WHERE NOT ST_IsValid(geom)) AS invalid`,
  );
  assert.equal(r!.invalid, 0);
});

test('demo city: children tile their parents (areas add up exactly, each child lies in its parent)', async () => {
  // Planar areas in degrees²: with no overlaps (import report), equal sums mean no gaps.
  const mismatches = await q<{ level: string; code: string; rel: number }>(
    `WITH children AS (
       SELECT parent_code AS parent, geom FROM jurisdictions WHERE level IN ('town', 'community')
       UNION ALL SELECT community_code, geom FROM grid_cells),
     sums AS (SELECT parent, sum(ST_Area(geom)) AS a FROM children GROUP BY parent)
     SELECT p.level, p.code, abs(s.a - ST_Area(p.geom)) / ST_Area(p.geom) AS rel
       FROM jurisdictions p JOIN sums s ON s.parent = p.code
      WHERE abs(s.a - ST_Area(p.geom)) / ST_Area(p.geom) > 1e-9`,
  );
  assert.deepEqual(mismatches, []);
  const [parents] = await q(
    `SELECT (SELECT count(*)::int FROM jurisdictions WHERE level <> 'district' AND parent_code IS NULL) AS orphans,
            (SELECT count(*)::int FROM jurisdictions c WHERE level <> 'district') + (SELECT count(*)::int FROM grid_cells) AS children,
            (SELECT count(*)::int FROM jurisdictions c JOIN jurisdictions p ON p.code = c.parent_code
              WHERE ST_Covers(p.geom, ST_PointOnSurface(c.geom)))
          + (SELECT count(*)::int FROM grid_cells c JOIN jurisdictions p ON p.code = c.community_code
              WHERE ST_Covers(p.geom, ST_PointOnSurface(c.geom))) AS inside`,
  );
  assert.equal(parents!.orphans, 0);
  assert.equal(parents!.inside, parents!.children);
});

test('demo city: codes are hierarchical (GB/T 2260 + street + community + cell)', async () => {
  const [bad] = await q(
    `SELECT (SELECT count(*)::int FROM jurisdictions WHERE level = 'town' AND (length(code) <> 9 OR left(code, 6) <> parent_code))
          + (SELECT count(*)::int FROM jurisdictions WHERE level = 'community' AND (length(code) <> 12 OR left(code, 9) <> parent_code))
          + (SELECT count(*)::int FROM grid_cells WHERE length(code) <> 15 OR left(code, 12) <> community_code) AS n`,
  );
  assert.equal(bad!.n, 0);
});

test('demo city: cells are ≈200–500 m across in the urban streets, larger in the rural counties', async () => {
  const rows = await q<{ urban: boolean; median_m: number }>(
    `SELECT left(c.code, 6) IN ('330203', '330205', '330206', '330211', '330212') AND t.name LIKE '%街道' AS urban,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY sqrt(gw_area_m2(c.geom))) AS median_m
       FROM grid_cells c JOIN jurisdictions t ON t.level = 'town' AND t.code = left(c.code, 9)
      GROUP BY 1 ORDER BY 1`,
  );
  const [rural, urban] = rows;
  assert.ok(urban!.median_m >= 200 && urban!.median_m <= 500, `urban median cell ${Math.round(urban!.median_m)} m across`);
  assert.ok(rural!.median_m > 2 * urban!.median_m, `rural median ${Math.round(rural!.median_m)} m vs urban ${Math.round(urban!.median_m)} m`);
});

test('demo city: zones of every type, bridges near 三江口 with custodians and thresholds', async () => {
  const types = await q<{ type: string }>('SELECT DISTINCT type FROM zones ORDER BY type');
  assert.deepEqual(types.map((t) => t.type), [...ZONE_TYPES].sort());
  const bridges = await q<{ name: string; custodian: string; d: number }>(
    `SELECT name, attrs->>'custodianUnitId' AS custodian,
            ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(121.55, 29.875), 4326)::geography) AS d
       FROM zones WHERE type = 'bridge'`,
  );
  assert.ok(bridges.length >= 3);
  for (const b of bridges) {
    assert.ok(b.d < 3000, `${b.name} is ${Math.round(b.d)} m from 三江口`);
    assert.match(b.custodian, /^custodian-/);
  }
  const [sites] = await q(
    "SELECT count(*) FILTER (WHERE (attrs->>'licensed')::boolean)::int AS licensed, count(*) FILTER (WHERE NOT (attrs->>'licensed')::boolean)::int AS unlicensed FROM zones WHERE type = 'disposal-site'",
  );
  assert.ok((sites!.licensed as number) >= 1);
  assert.equal(sites!.unlicensed, 1);
});

test('demo city: seeding again leaves the city alone; an interrupted seed is completed; real imports win', async () => {
  assert.deepEqual(await seedDemoCity(db.pool), []);
  // As if the process died before the zones layer committed.
  await db.pool.query("UPDATE geo_imports SET active = false WHERE layer = 'zones'");
  assert.deepEqual((await seedDemoCity(db.pool)).map((r) => r.report.layer), ['zones']);
  // Once someone else's boundaries are active, the demo never mixes its own in.
  await db.pool.query("UPDATE geo_imports SET active = false WHERE layer = 'zones'");
  await db.pool.query("UPDATE geo_imports SET created_by = 'admin' WHERE layer = 'districts'");
  assert.deepEqual(await seedDemoCity(db.pool), []);
});
