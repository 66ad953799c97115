/**
 * GET /api/v1/locate over HTTP, and the LocatorHolder swapping in a new import atomically.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LocatorHolder } from '../../geo/locator/locator-holder.js';
import { loadSql } from '../../db/sql.js';
import { locateRoutes } from '../../server/spatial/locate.routes.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { coveringCells, insertLayers } from './helpers/layers.js';
import { voronoiCity } from './helpers/voronoi-city.js';

const bbox: [number, number, number, number] = [121.5, 29.8, 121.56, 29.85];
let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
let token: string;
const holder = new LocatorHolder();

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  await insertLayers(db.pool, voronoiCity({ seed: 3, cells: 200, bbox, towns: 2, gapShare: 0, zonesPerType: 2 }).data, bbox);
  await holder.reload(db.pool);
  app = await startTestApp(db.pool, { routes: locateRoutes(holder) });
  token = await loginAs(db.pool, app.url, 'locate-worker', 'worker');
});
after(async () => {
  await app.close();
  await db.close();
});

test('GET /api/v1/locate answers the cell PostGIS finds, for WGS84 and GCJ-02 input', async () => {
  const [x, y] = [121.5301, 29.8222];
  const [want] = await coveringCells(db.pool, [x], [y]);
  assert.equal(want!.length, 1, 'the probe is inside exactly one cell');
  const r = await api(`${app.url}/api/v1/locate?lon=${x}&lat=${y}`, { token });
  assert.equal(r.status, 200);
  assert.equal(r.body.grid.code, want![0]!.code);
  assert.equal(typeof r.body.town.code, 'string');
  assert.equal(r.body.fallback, undefined);
  const g = await api(`${app.url}/api/v1/locate?lon=${x + 0.0045}&lat=${y - 0.0024}&crs=gcj02&accuracyM=5000`, { token });
  assert.equal(g.status, 200);
  assert.equal(g.body.onBoundary, true, 'a 5 km accuracy circle crosses a boundary');
  const far = await api(`${app.url}/api/v1/locate?lon=100&lat=10`, { token });
  assert.equal(far.body.fallback, 'outside');
  assert.equal(far.body.grid, null);
});

test('bad input is a 400 with GW_GEO_BAD_POINT naming the fields; no token is a 401', async () => {
  for (const q of ['lon=abc&lat=29.8', 'lon=121.5', 'lon=121.5&lat=95', 'lon=121.5&lat=29.8&crs=utm', 'lon=121.5&lat=29.8&accuracyM=-3']) {
    const r = await api(`${app.url}/api/v1/locate?${q}`, { token });
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error.code, 'GW_GEO_BAD_POINT', q);
    assert.ok(r.body.error.details.problems.length > 0, q);
  }
  assert.equal((await api(`${app.url}/api/v1/locate?lon=121.53&lat=29.82`)).status, 401);
});

test('reload swaps in the newly active grid layer in one step; the old locator keeps answering as before', async () => {
  const [x, y] = [121.5301, 29.8222];
  const before = holder.current();
  const oldCode = before.locate(x, y).grid?.code;
  // A new grids import: one big cell over the whole box replaces the Voronoi cells.
  await db.pool.query(loadSql(new URL('./sql/replace-grids-with-box.sql', import.meta.url)), [...bbox]);
  const after = await holder.reload(db.pool);
  assert.notEqual(after, before);
  assert.equal(holder.current(), after);
  assert.equal(after.locate(x, y).grid?.code, 'BOX');
  assert.equal(after.info.cellCount, 1);
  assert.equal(before.locate(x, y).grid?.code, oldCode, 'the previous index is untouched');
  const metrics = await fetch(`${app.url}/metrics`).then((r) => r.text());
  assert.match(metrics, /gridwatch_locator_features\{layer="grids"\} 1\n/);
  assert.match(metrics, /gridwatch_locator_reloads_total\{outcome="swapped"\} [2-9]/);
});
