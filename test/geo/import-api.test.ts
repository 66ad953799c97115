/** The admin import API: upload (JSON and application/geo+json), rejection report, list, activate, roles. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/logger.js';
import { LocatorHolder } from '../../geo/locator/locator-holder.js';
import { geoRoutes } from '../../server/spatial/spatial.routes.js';
import { CONTEXT } from '../fixtures/geo/cases.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
let admin: string;
let operator: string;
let reloads = 0;

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  app = await startTestApp(db.pool, {
    routes: geoRoutes({ pool: db.pool, log: createLogger('silent'), locator: new LocatorHolder(), onImported: async () => void reloads++ }),
  });
  admin = await loginAs(db.pool, app.url, 'geo-admin', 'admin');
  operator = await loginAs(db.pool, app.url, 'geo-operator', 'operator');
});
after(async () => {
  await app.close();
  await db.close();
});

const geojson = (url: string, token: string, body: string) =>
  fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/geo+json' }, body }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));

test('POST /api/v1/geo/imports: an admin imports a layer as JSON; the locator reloads', async () => {
  const before = reloads;
  const r = await api(`${app.url}/api/v1/geo/imports?layer=districts&source=test.geojson`, { token: admin, body: CONTEXT.districts });
  assert.equal(r.status, 201);
  assert.equal(r.body.report.status, 'imported');
  assert.equal(r.body.report.source, 'test.geojson');
  assert.equal(r.body.locator, 'reloaded');
  assert.equal(reloads, before + 1);
});

test('POST /api/v1/geo/imports: application/geo+json bodies are read by the import itself, GCJ-02 converted', async () => {
  const r = await geojson(`${app.url}/api/v1/geo/imports?layer=towns&crs=gcj02`, admin, JSON.stringify(CONTEXT.towns));
  assert.equal(r.status, 201);
  assert.equal(r.body.report.crs, 'gcj02');
  assert.equal(r.body.report.source, 'api upload by geo-admin');
});

test('POST /api/v1/geo/imports: a fatal problem is a 422 carrying the report; nothing lands', async () => {
  const r = await geojson(`${app.url}/api/v1/geo/imports?layer=communities`, admin, '{"type":"FeatureCollection"');
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'GW_GEO_IMPORT_REJECTED');
  assert.match(r.body.error.message, /^Importing communities from api upload by geo-admin: Reading the file as JSON/);
  assert.equal(r.body.error.details.report.status, 'rejected');
  assert.deepEqual(r.body.error.details.report.problems.map((p: { kind: string }) => p.kind), ['unparseable']);
  const list = await api(`${app.url}/api/v1/geo/imports?layer=communities`, { token: admin });
  assert.deepEqual(list.body.imports, []);
});

test('POST /api/v1/geo/imports: query validated, admins only', async () => {
  const bad = await api(`${app.url}/api/v1/geo/imports?layer=rivers`, { token: admin, body: CONTEXT.districts });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'GW_VALIDATION');
  const forbidden = await api(`${app.url}/api/v1/geo/imports?layer=districts`, { token: operator, body: CONTEXT.districts });
  assert.equal(forbidden.status, 403);
  const anonymous = await api(`${app.url}/api/v1/geo/imports?layer=districts`, { body: CONTEXT.districts });
  assert.equal(anonymous.status, 401);
});

test('GET /api/v1/geo/imports, GET …/:id and POST …/:id/activate roll a layer back', async () => {
  const again = await api(`${app.url}/api/v1/geo/imports?layer=districts&source=v2`, { token: admin, body: CONTEXT.districts });
  assert.equal(again.status, 201);
  const list = await api(`${app.url}/api/v1/geo/imports?layer=districts`, { token: admin });
  const [v2, v1] = list.body.imports;
  assert.deepEqual([v2.source, v2.active, v1.source, v1.active], ['v2', true, 'test.geojson', false]);
  assert.deepEqual(v2.summary, { fatal: 0, errors: 0, warnings: 0, omitted: 0 });

  const one = await api(`${app.url}/api/v1/geo/imports/${v1.id}`, { token: admin });
  assert.equal(one.body.report.source, 'test.geojson');

  const act = await api(`${app.url}/api/v1/geo/imports/${v1.id}/activate`, { token: admin, method: 'POST' });
  assert.equal(act.status, 200);
  assert.deepEqual(act.body, { importId: v1.id, layer: 'districts', previousImportId: v2.id, locator: 'reloaded' });

  const missing = await api(`${app.url}/api/v1/geo/imports/9999/activate`, { token: admin, method: 'POST' });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'GW_GEO_IMPORT_NOT_FOUND');
  const badId = await api(`${app.url}/api/v1/geo/imports/abc`, { token: admin });
  assert.equal(badId.status, 400);
});
