import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../../core/logger.js';
import { withTransaction } from '../../db/transaction.js';
import { demoTowns } from '../../geo/demo/towns.js';
import { catalogueAt } from '../../server/catalogue/catalogue-at.js';
import { demoItems } from '../../server/catalogue/demo/index.js';
import { formatItemsCsv } from '../../server/catalogue/import.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { seedDemoCatalogue } from '../../server/catalogue/demo/seed-catalogue.js';
import { catalogueAdminRoutes } from '../../server/catalogue/catalogue-admin.routes.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { api, loginAs, startTestApp } from '../helpers/app.js';
import { waitFor } from '../ingest/mqtt-kafka-support.js';
import { TOWN_A, TOWN_B, miniCatalogue } from '../pipeline/helpers/mini-city.js';

const log = createLogger('silent');
let db: TestDb;
let store: CatalogueStore;
let app: Awaited<ReturnType<typeof startTestApp>>;
let admin: string;
let operator: string;
const post = (path: string, body: unknown, token = admin) => api(`${app.url}${path}`, { token, body });
const at = (date: string) => Date.parse(`${date}T12:00:00+08:00`);

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  store = new CatalogueStore(db.pool, log);
  await store.load();
  app = await startTestApp(db.pool, { routes: catalogueAdminRoutes(store) });
  admin = await loginAs(db.pool, app.url, 'cat-admin', 'admin');
  operator = await loginAs(db.pool, app.url, 'cat-operator', 'operator', ['330203']);
});
after(async () => {
  await app?.close();
  await db.close();
});

test('only administrators import', async () => {
  const r = await post('/api/v1/catalogue/import', miniCatalogue(), operator);
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'GW_FORBIDDEN');
  assert.equal((await api(`${app.url}/api/v1/units`, { body: { units: [] } })).status, 401);
});

test('a JSON import stores units and versions; the in-memory catalogue is swapped; re-importing is harmless', async () => {
  const r = await post('/api/v1/catalogue/import?format=json', miniCatalogue());
  assert.equal(r.status, 201);
  assert.deepEqual(r.body.added.map((v: { version: number }) => v.version), [1, 2]);
  assert.equal(r.body.units, miniCatalogue().units.length);
  const { history, directory } = store.current();
  assert.equal(catalogueAt(history, at('2025-06-01'))!.version, 2);
  assert.equal(directory.townTeams.get(TOWN_A.code)!.id, `team-${TOWN_A.code}`);
  const again = await post('/api/v1/catalogue/import', miniCatalogue());
  assert.equal(again.status, 200);
  assert.deepEqual(again.body.added, []);
  await assert.rejects(db.pool.query(`UPDATE catalogue_versions SET note_en = 'x'`), /catalogue_versions are history/);
});

test('a new version is appended; a changed or out-of-order one is refused; the history is validated whole', async () => {
  const v3 = { version: 3, effectiveFrom: '2026-01-01', note: { zh: '新增赋权', en: 'grant' }, grants: [{ townCode: TOWN_B.code, itemCodes: ['住建-渣土-01'] }] };
  const r = await post('/api/v1/catalogue/versions', v3);
  assert.equal(r.status, 201);
  assert.equal(r.body.latestVersion, 3);
  const snap = catalogueAt(store.current().history, at('2026-02-01'))!;
  assert.deepEqual(snap.empowerment[TOWN_B.code]!['住建-渣土-01'], { since: '2026-01-01', version: 3 });
  assert.equal(catalogueAt(store.current().history, at('2025-12-31'))!.empowerment[TOWN_B.code], undefined, 'the old version still answers for its dates');

  const changed = await post('/api/v1/catalogue/versions', { ...v3, note: { zh: '改', en: 'changed' } });
  assert.equal(changed.status, 409);
  assert.equal(changed.body.error.code, 'GW_CATALOGUE_VERSION_CONFLICT');
  const early = await post('/api/v1/catalogue/versions', { version: 4, effectiveFrom: '2025-06-01', note: { zh: '早', en: 'early' } });
  assert.equal(early.status, 422);
  assert.equal(early.body.error.code, 'GW_CATALOGUE_INVALID');
  const notDelegable = await post('/api/v1/catalogue/versions', { version: 4, effectiveFrom: '2026-06-01', note: { zh: '错', en: 'bad' }, grants: [{ townCode: TOWN_A.code, itemCodes: ['交警-停车-01'] }] });
  assert.equal(notDelegable.status, 422);
  assert.ok(notDelegable.body.error.details.problems.some((p: string) => /交警-停车-01 is not delegable/.test(p)));
  const invalid = await post('/api/v1/catalogue/versions', { version: 'four' });
  assert.equal(invalid.body.error.code, 'GW_VALIDATION');
});

test('a CSV import reads items and empowerment with the catalogue parsers; row problems name their line', async () => {
  const dumping = demoItems().find((i) => i.code === '住建-渣土-01')!;
  const r = await post('/api/v1/catalogue/import?format=csv', {
    version: 4,
    effectiveFrom: '2026-06-01',
    note: { zh: '时限调整', en: 'deadline change' },
    itemsCsv: formatItemsCsv([{ ...dumping, deadlineMin: 90 }]),
    empowermentCsv: `town_code,item_code,action\n${TOWN_B.code},住建-渣土-02,grant\n${TOWN_A.code},住建-渣土-02,revoke\n`,
  });
  assert.equal(r.status, 201);
  const v4 = catalogueAt(store.current().history, at('2026-07-01'))!;
  assert.equal(v4.items['住建-渣土-01']!.deadlineMin, 90);
  assert.ok(v4.empowerment[TOWN_B.code]!['住建-渣土-02']);
  assert.equal(v4.empowerment[TOWN_A.code]!['住建-渣土-02'], undefined);

  const bad = await post('/api/v1/catalogue/import?format=csv', {
    version: 5,
    effectiveFrom: '2026-09-01',
    note: { zh: '坏', en: 'bad' },
    empowermentCsv: `town_code,item_code,action\n${TOWN_B.code},住建-渣土-02,give\n`,
  });
  assert.equal(bad.status, 422);
  assert.match(bad.body.error.details.problems[0], /^empowermentCsv line 2: action/);
});

test('a malformed import names the fields at fault for the kind of body it is; a body of the other format is refused', async () => {
  const badJson = await post('/api/v1/catalogue/import', { versions: [{ version: 'four' }], units: [] });
  assert.equal(badJson.status, 400);
  assert.equal(badJson.body.error.code, 'GW_VALIDATION');
  assert.match(badJson.body.error.message, /JSON import .*versions\.0\.version: .*expected number/);
  const badCsv = await post('/api/v1/catalogue/import?format=csv', { version: 9, note: { zh: '坏', en: 'bad' } });
  assert.equal(badCsv.status, 400);
  assert.match(badCsv.body.error.message, /CSV import .*effectiveFrom/);
  const mismatch = await post('/api/v1/catalogue/import?format=csv', miniCatalogue());
  assert.equal(mismatch.status, 400);
  assert.match(mismatch.body.error.message, /format=json/);
  assert.equal(store.current().versions.at(-1)!.version, 4, 'nothing was stored');
});

test('units: inserted or replaced by id, validated as they will stand; replace retires the rest', async () => {
  const hub = { kind: 'hub', id: 'hub-a', districtCode: '330203', townCode: TOWN_A.code, linkedTownCodes: [TOWN_B.code], name: { zh: '石碶片区', en: 'Shiqi hub' } };
  const r = await post('/api/v1/units', { units: [hub] });
  assert.deepEqual(r.body, { imported: 1, retired: 0 });
  assert.equal(store.current().directory.hubOfTown.get(TOWN_B.code)!.id, 'hub-a');

  const noOffice = await post('/api/v1/units', { units: [hub], replace: true });
  assert.equal(noOffice.status, 422);
  assert.match(noOffice.body.error.message, /coordination-office/);

  const kept = miniCatalogue().units.filter((u) => u.kind !== 'utility');
  const replaced = await post('/api/v1/units', { units: kept, replace: true });
  assert.deepEqual(replaced.body, { imported: kept.length, retired: 2 });
  assert.equal(store.current().directory.byId.has('utility-gas'), false);
  const { rows } = await db.pool.query(`SELECT id FROM units WHERE retired_at IS NOT NULL ORDER BY id`);
  assert.deepEqual(rows.map((u) => u.id), ['hub-a', 'utility-gas']);
});

test('another replica picks up an import; the demo seed runs once on an empty catalogue', async () => {
  const replica = new CatalogueStore(db.pool, log);
  await replica.load();
  assert.equal(await replica.refreshIfChanged(), false);
  await post('/api/v1/catalogue/versions', { version: 5, effectiveFrom: '2027-01-01', note: { zh: '五', en: 'five' } });
  assert.equal(await replica.refreshIfChanged(), true);
  assert.equal(replica.current().versions.at(-1)!.version, 5);

  await resetDb(db.pool);
  const fresh = new CatalogueStore(db.pool, log);
  await fresh.load();
  assert.equal(fresh.current().directory.coordinationOffices.get(null)!.id, 'city-duty-desk', 'nothing imported: the built-in duty desk receives everything');
  assert.deepEqual(await seedDemoCatalogue(fresh, demoTowns(), 'gridwatch-ningbo-1'), [1, 2]);
  assert.deepEqual(await seedDemoCatalogue(fresh, demoTowns(), 'gridwatch-ningbo-1'), []);
  assert.equal(fresh.current().directory.townTeams.size, demoTowns().length);
});

test(
  'stopping the catalogue watch waits for a refresh in progress',
  { skip: process.env.GW_TEST_DB_BACKEND !== 'postgres' && 'needs real PostgreSQL (npm test with DATABASE_URL): PGlite serves every connection from one session, so a lock cannot hold a refresh up' },
  async () => {
    const storePool = new pg.Pool({ connectionString: db.connectionString, max: 1 });
    const lockPool = new pg.Pool({ connectionString: db.connectionString, max: 1 });
    const blockedRefreshes = async () =>
      (
        await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM catalogue_versions%'`,
        )
      ).rows[0]!.n;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    try {
      const watched = new CatalogueStore(storePool, log);
      await watched.load();
      // Another transaction holds the catalogue table, so the next refresh waits on its lock.
      let locked!: () => void;
      const haveLock = new Promise<void>((r) => (locked = r));
      const holding = withTransaction(lockPool, async (c) => {
        await c.query('LOCK TABLE catalogue_versions IN ACCESS EXCLUSIVE MODE');
        locked();
        await released;
      });
      await haveLock;
      const stop = watched.watch(10);
      await waitFor('a catalogue refresh waiting on the lock', async () => (await blockedRefreshes()) === 1);

      let stopped = false;
      const stopping = stop().then(() => (stopped = true));
      assert.equal(await blockedRefreshes(), 1, 'the refresh is still under way');
      assert.equal(stopped, false, 'so stop has not returned');
      release();
      await holding;
      await stopping;
      assert.equal(await blockedRefreshes(), 0, 'stop returned once the refresh had finished');
    } finally {
      release();
      await storePool.end();
      await lockPool.end();
    }
  },
);

test('OpenAPI documents the import endpoints', async () => {
  const doc = (await api(`${app.url}/api/v1/openapi.json`)).body;
  for (const path of ['/api/v1/catalogue/versions', '/api/v1/catalogue/import', '/api/v1/units'])
    assert.ok(doc.paths[path].post.requestBody.content['application/json'].schema, path);
  const imports = doc.paths['/api/v1/catalogue/import'].post;
  assert.ok(imports.parameters.some((p: { name: string }) => p.name === 'format'));
  assert.deepEqual(imports['x-roles'], ['admin']);
  for (const status of ['200', '201']) assert.ok(imports.responses[status].content['application/json'].schema.properties.added, status);
});
