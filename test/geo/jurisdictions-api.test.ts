/** GET /api/v1/jurisdictions and /api/v1/zones over the small test city. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/logger.js';
import { importLayer } from '../../geo/import/import.js';
import { LocatorHolder } from '../../geo/locator/locator-holder.js';
import { geoRoutes } from '../../server/spatial/spatial.routes.js';
import { CASES, CONTEXT } from '../fixtures/geo/cases.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
let token: string;

/** A wiggly 200-vertex district, so simplification has something to remove. */
const wiggly = () => {
  const ring: [number, number][] = [];
  for (let i = 0; i < 200; i++) {
    const a = (2 * Math.PI * i) / 200;
    const r = 0.05 + 0.0002 * Math.sin(17 * a);
    ring.push([121.7 + r * Math.cos(a), 29.9 + r * Math.sin(a)]);
  }
  ring.push(ring[0]!);
  return { type: 'Feature', properties: { code: '330298', name: '曲线区' }, geometry: { type: 'Polygon', coordinates: [ring] } };
};

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  const districts = { ...CONTEXT.districts, features: [...CONTEXT.districts.features, wiggly()] };
  for (const [layer, fc] of [
    ['districts', districts],
    ['towns', CONTEXT.towns],
    ['communities', CONTEXT.communities],
    ['grids', CASES.find((c) => c.name === 'clean-grid')!.input],
    ['zones', CASES.find((c) => c.name === 'zones')!.input],
  ] as const) {
    const r = await importLayer(db.pool, fc, { layer, source: layer });
    assert.ok(r.importId, `context ${layer}: ${JSON.stringify(r.report.problems)}`);
  }
  app = await startTestApp(db.pool, { routes: geoRoutes({ pool: db.pool, log: createLogger('silent'), locator: new LocatorHolder() }) });
  token = await loginAs(db.pool, app.url, 'geo-planner', 'planner');
});
after(async () => {
  await app.close();
  await db.close();
});

const get = (path: string) => api(`${app.url}${path}`, { token });

test('GET /api/v1/jurisdictions lists a level, optionally under one parent', async () => {
  const towns = await get('/api/v1/jurisdictions?level=town');
  assert.equal(towns.status, 200);
  assert.deepEqual(towns.body, {
    level: 'town',
    count: 2,
    items: [
      { code: '330299001', name: '东湖街道', parentCode: '330299' },
      { code: '330299002', name: '西塘镇', parentCode: '330299' },
    ],
  });
  const cells = await get('/api/v1/jurisdictions?level=grid&parent=330299002001');
  assert.deepEqual(
    cells.body.items.map((c: { code: string }) => c.code),
    ['330299002001001', '330299002001002', '330299002001003', '330299002001004'],
  );
});

test('GET /api/v1/jurisdictions?format=geojson: a FeatureCollection, bbox-filtered', async () => {
  const r = await get('/api/v1/jurisdictions?level=community&format=geojson&bbox=121.5,29.8,121.519,29.819');
  assert.equal(r.status, 200);
  assert.equal(r.body.type, 'FeatureCollection');
  assert.deepEqual(
    r.body.features.map((f: { properties: { code: string } }) => f.properties.code),
    ['330299001001'],
  );
  const f = r.body.features[0];
  assert.deepEqual(f.properties, { code: '330299001001', name: '东湖南社区', parentCode: '330299001', level: 'community' });
  assert.equal(f.geometry.type, 'MultiPolygon');
});

test('GET /api/v1/jurisdictions?zoom=: large geometries are simplified for the zoom, small ones left alone', async () => {
  const points = async (zoom?: number) => {
    const r = await get(`/api/v1/jurisdictions?level=district&format=geojson${zoom === undefined ? '' : `&zoom=${zoom}`}`);
    return Object.fromEntries(
      r.body.features.map((f: { properties: { code: string }; geometry: { coordinates: number[][][][] } }) => [f.properties.code, f.geometry.coordinates[0]![0]!.length]),
    );
  };
  const full = await points();
  const far = await points(8);
  const near = await points(18);
  assert.deepEqual(full, { '330298': 201, '330299': 5 });
  assert.ok(far['330298'] < 60, `zoom 8 keeps ${far['330298']} of 201 vertices`);
  assert.ok(near['330298'] > 150, `zoom 18 keeps ${near['330298']} of 201 vertices`);
  assert.equal(far['330299'], 5);
});

test('GET /api/v1/zones: by type, with attributes; buffered lines come back as areas', async () => {
  const all = await get('/api/v1/zones');
  assert.deepEqual(
    all.body.items.map((z: { code: string; type: string }) => [z.type, z.code]),
    [
      ['bridge', 'BR-1'],
      ['disposal-site', 'DS-1'],
      ['no-parking', 'NP-1'],
      ['restricted', 'RS-1'],
      ['route-corridor', 'RC-1'],
    ],
  );
  const bridges = await get('/api/v1/zones?type=bridge&format=geojson');
  assert.equal(bridges.body.features.length, 1);
  assert.equal(bridges.body.features[0].properties.attrs.custodianUnitId, 'custodian-municipal');
  assert.equal(bridges.body.features[0].geometry.type, 'MultiPolygon');
});

test('GET /api/v1/jurisdictions and /zones validate their queries and need a login', async () => {
  for (const path of ['/api/v1/jurisdictions?level=city', '/api/v1/jurisdictions?level=town&zoom=30', '/api/v1/jurisdictions?level=town&bbox=2,1,1,2', '/api/v1/zones?type=river']) {
    const r = await get(path);
    assert.equal(r.status, 400, path);
    assert.equal(r.body.error.code, 'GW_VALIDATION');
  }
  const anon = await api(`${app.url}/api/v1/jurisdictions?level=town`);
  assert.equal(anon.status, 401);
});
