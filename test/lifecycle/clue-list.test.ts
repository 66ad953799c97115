import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readCsv } from '../../core/csv.js';
import { createLogger } from '../../core/logger.js';
import { offlineApiRoutes } from '../../server/api-types.js';
import { createUser, type Role, type User } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { CLUE_CSV_COLUMNS } from '../../server/clues/clue-export.js';
import { walkClues } from '../../server/clues/clue-list.js';
import { clueRoutes } from '../../server/clues/clue.routes.js';
import { open311Routes } from '../../server/lifecycle/open311.routes.js';
import { api, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { miniCatalogue, miniRouting } from '../pipeline/helpers/mini-city.js';
import { CLUES, PERIOD, T1, T2, U3, loadEfficiencyFixture } from './efficiency-fixture.js';

let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
let store: CatalogueStore;
const tokens: Record<string, string> = {};
const users: Record<string, User> = {};

async function user(username: string, role: Role, scopes: string[], unitId: string | null = null): Promise<void> {
  const password = `pw-${username}-secret`;
  users[username] = await createUser(db.pool, { username, password, displayName: username, role, scopes, unitId });
  tokens[username] = (await api(`${app.url}/api/v1/auth/login`, { body: { username, password } })).body.token;
}
const get = (who: string | null, path: string) => api(`${app.url}${path}`, who ? { token: tokens[who] } : {});
const raw = (who: string, path: string) => fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });

/** The fixture's codes, newest first (the list's order), optionally only those `keep` picks. */
const newestFirst = (keep: (c: (typeof CLUES)[number]) => boolean = () => true) =>
  CLUES.filter(keep)
    .sort((a, b) => b.openedMin - a.openedMin)
    .map((c) => c.code);
const codes = async (who: string, query: string) => {
  const r = await get(who, `/api/v1/clues?${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.clues.map((c: { code: string }) => c.code);
};

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  store = new CatalogueStore(db.pool, createLogger('silent'));
  await store.importData(miniCatalogue(), 'json', 'test');
  await loadEfficiencyFixture(db.pool);
  // Two clues opened by a parking camera, one with a plate.
  await db.pool.query(`UPDATE clues SET device_kind = 'parking-camera', device_id = 'camera-1' WHERE code IN ('c11', 'c12')`);
  await db.pool.query(`UPDATE clues SET details = '{"plate": "浙B12345"}' WHERE code = 'c12'`);
  app = await startTestApp(db.pool, { routes: [...clueRoutes(db.pool, miniRouting(store)), ...open311Routes(db.pool, () => store.current())] });
  await user('planner', 'planner', []);
  await user('op-t1', 'operator', [T1]);
  await user('officer-u3', 'officer', [], U3);
  await user('op-elsewhere', 'operator', ['330212']);
});
after(async () => {
  await app?.close();
  await db.close();
});

test('the list answers a total and walks every page with the opaque cursor, within scope', async () => {
  const all: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const r = await get('planner', `/api/v1/clues?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.body.total, 20, 'the total counts every match, whatever the page');
    all.push(...r.body.clues.map((c: { code: string }) => c.code));
    cursor = r.body.nextCursor;
    if (!cursor) break;
  }
  assert.deepEqual(all, newestFirst(), 'every clue once, newest first');
  const t1 = await get('op-t1', '/api/v1/clues?limit=7');
  assert.equal(t1.body.total, 10);
  assert.deepEqual(t1.body.clues.map((c: { code: string }) => c.code), newestFirst((c) => c.town === T1).slice(0, 7));
  assert.ok(t1.body.nextCursor);
  const officer = await get('officer-u3', '/api/v1/clues');
  assert.equal(officer.body.total, 4);
  assert.deepEqual(officer.body.clues.map((c: { code: string }) => c.code), ['c20', 'c16', 'c15', 'c09'], 'a unit sees its own clues wherever they are');
  assert.equal(officer.body.nextCursor, null);
  assert.deepEqual((await get('op-elsewhere', '/api/v1/clues')).body, { clues: [], total: 0, limit: 100, nextCursor: null });
});

test('filters: jurisdiction, status, unit, kind, time range, overdue, search by code or plate', async () => {
  assert.deepEqual(await codes('planner', `jurisdiction=${T2}`), newestFirst((c) => c.town === T2));
  assert.deepEqual(await codes('planner', 'jurisdiction=330203'), newestFirst(), 'a district code takes its towns');
  assert.deepEqual(await codes('op-t1', `jurisdiction=${T2}`), [], 'a filter never widens the scope');
  assert.deepEqual(await codes('planner', `status=closed&jurisdiction=${T1}`), ['c08', 'c07', 'c03', 'c02', 'c01']);
  assert.deepEqual(await codes('planner', `unit=${U3}`), ['c20', 'c16', 'c15', 'c09']);
  assert.deepEqual(await codes('planner', 'kind=parking-camera'), ['c12', 'c11']);
  assert.deepEqual(await codes('planner', 'q=b123'), ['c12'], 'part of a plate, any case');
  assert.deepEqual(await codes('planner', 'q=C1'), newestFirst((c) => c.code.startsWith('c1')), 'part of a code');
  // Opened 00:00 (c01), 00:30 (c02), 01:00 (c03): from is inclusive, to exclusive.
  assert.deepEqual(await codes('planner', `from=${PERIOD.from}&to=2025-06-01T01:00:00Z`), ['c02', 'c01']);
  assert.deepEqual(await codes('planner', `to=${PERIOD.from}`), ['c19']);
  // Past due and not closed, escalated or merged (the fixture's hand list).
  const overdue = ['c20', 'c17', 'c06', 'c05', 'c04'];
  assert.deepEqual(await codes('planner', 'overdue=true'), overdue);
  assert.deepEqual(await codes('planner', 'overdue=false'), newestFirst((c) => !overdue.includes(c.code)));
  const r = await get('planner', `/api/v1/clues?overdue=true&jurisdiction=${T2}&limit=1`);
  assert.equal(r.body.total, 2, 'the total counts with the same filters');
});

test('bad input is refused: a forged cursor, a reversed range, an unknown format or parameter', async () => {
  const forged = Buffer.from(JSON.stringify({ us: 'soon', id: 1 })).toString('base64url');
  for (const q of [`cursor=${forged}`, 'cursor=!!!', `from=${PERIOD.to}&to=${PERIOD.from}`, 'format=xml', 'overdue=maybe', 'kind=drone', 'limit=0']) {
    const r = await get('planner', `/api/v1/clues?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error.code, 'GW_VALIDATION');
  }
  const unknown = await get('planner', '/api/v1/clues?offset=10');
  assert.match(unknown.body.error.details.problems[0], /^offset: unknown parameter/);
  assert.equal((await get(null, '/api/v1/clues?format=csv')).status, 401);
});

test('format=csv exports every match with the same filters and scope, as an attachment', async () => {
  const res = await raw('op-t1', '/api/v1/clues?format=csv&status=closed&limit=2');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/csv/);
  assert.match(res.headers.get('content-disposition')!, /^attachment; filename="clues-\d{4}-\d{2}-\d{2}\.csv"$/);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM, for Excel');
  const text = bytes.toString('utf8');
  const [header, ...rows] = readCsv(text);
  assert.deepEqual(header, [...CLUE_CSV_COLUMNS]);
  const col = (name: (typeof CLUE_CSV_COLUMNS)[number]) => rows.map((r) => r[CLUE_CSV_COLUMNS.indexOf(name)]);
  assert.deepEqual(col('code'), ['c08', 'c07', 'c03', 'c02', 'c01'], 'every page, not the first two: limit sizes JSON pages only');
  assert.deepEqual(new Set(col('town_code')), new Set([T1]));
  assert.deepEqual(col('summary_zh'), Array(5).fill('测试'));
  const plate = readCsv(await (await raw('planner', '/api/v1/clues?format=csv&q=浙B')).text());
  assert.equal(plate[1]![CLUE_CSV_COLUMNS.indexOf('plate')], '浙B12345');
  const officer = readCsv(await (await raw('officer-u3', '/api/v1/clues?format=csv')).text());
  assert.deepEqual(officer.slice(1).map((r) => r[0]), ['c20', 'c16', 'c15', 'c09']);
  const none = readCsv(await (await raw('op-elsewhere', '/api/v1/clues?format=csv')).text());
  assert.deepEqual(none, [[...CLUE_CSV_COLUMNS]], 'out of scope: a header and nothing else');
});

test('format=geojson exports a FeatureCollection of points, within scope', async () => {
  const res = await raw('planner', `/api/v1/clues?format=geojson&jurisdiction=${T2}&status=closed`);
  assert.match(res.headers.get('content-type')!, /^application\/geo\+json/);
  assert.match(res.headers.get('content-disposition')!, /\.geojson"$/);
  const fc = await res.json();
  assert.equal(fc.type, 'FeatureCollection');
  assert.deepEqual(fc.features.map((f: { id: string }) => f.id), newestFirst((c) => c.town === T2 && c.status === 'closed'));
  const c11 = fc.features.find((f: { id: string }) => f.id === 'c11');
  assert.equal(c11.geometry.type, 'Point');
  assert.ok(Math.abs(c11.geometry.coordinates[0] - 121.51) < 1e-9 && c11.geometry.coordinates[1] === 29.88);
  assert.equal(c11.properties.code, 'c11');
  assert.equal(c11.properties.status, 'closed');
  assert.equal(c11.properties.position, undefined, 'the position is the geometry');
  const t1 = await (await raw('op-t1', `/api/v1/clues?format=geojson&jurisdiction=${T2}`)).json();
  assert.deepEqual(t1, { type: 'FeatureCollection', features: [] });
});

test('an export walks the list a chunk at a time, each clue once', async () => {
  const chunks: string[][] = [];
  for await (const chunk of walkClues(db.pool, users.planner!, {}, undefined, 3)) chunks.push(chunk.map((c) => c.code));
  assert.deepEqual(chunks.map((c) => c.length), [3, 3, 3, 3, 3, 3, 2]);
  assert.deepEqual(chunks.flat(), newestFirst());
});

test('Open311 GeoReport v2: services are the items in force, requests the clues in scope', async () => {
  const services = await get('op-t1', '/open311/v2/services.json');
  assert.equal(services.status, 200);
  const dumping = services.body.find((s: { service_code: string }) => s.service_code === '住建-渣土-01');
  assert.equal(dumping.service_name, '随意倾倒、抛撒建筑垃圾 (Dumping construction waste outside a licensed site)');
  assert.equal(dumping.type, 'realtime');
  assert.equal(dumping.metadata, false);

  const period = `start_date=${PERIOD.from}&end_date=${PERIOD.to}`;
  const t1 = await get('op-t1', `/open311/v2/requests.json?${period}`);
  assert.deepEqual(t1.body.map((r: { service_request_id: string }) => r.service_request_id), newestFirst((c) => c.town === T1));
  const c01 = t1.body.find((r: { service_request_id: string }) => r.service_request_id === 'c01');
  assert.deepEqual(
    { ...c01, updated_datetime: undefined },
    {
      service_request_id: 'c01',
      status: 'closed',
      status_notes: 'closed',
      service_name: '住建-渣土-01',
      service_code: '住建-渣土-01',
      description: '测试 (test)',
      agency_responsible: '石碶街道综合行政执法队 (石碶街道 enforcement team)',
      service_notice: null,
      requested_datetime: PERIOD.from,
      updated_datetime: undefined,
      expected_datetime: '2025-06-01T02:00:00.000Z',
      address: null,
      address_id: null,
      zipcode: null,
      lat: 29.88,
      long: 121.5,
      media_url: null,
    },
  );
  const open = await get('op-t1', `/open311/v2/requests.json?${period}&status=open`);
  assert.deepEqual(open.body.map((r: { service_request_id: string }) => r.service_request_id), ['c06', 'c05', 'c04']);
  const byId = await get('op-t1', '/open311/v2/requests.json?service_request_id=c01,c15');
  assert.deepEqual(byId.body.map((r: { service_request_id: string }) => r.service_request_id), ['c01'], 'a request out of scope is not listed');
  assert.deepEqual((await get('op-t1', '/open311/v2/requests.json')).body, [], 'the default window is the last 90 days');
  assert.deepEqual((await get('planner', `/open311/v2/requests.json?${period}&jurisdiction_id=${T2}&service_code=none`)).body, []);

  const one = await get('officer-u3', '/open311/v2/requests/c15.json');
  assert.equal(one.status, 200);
  assert.equal(one.body[0].agency_responsible, '海曙区住房和城乡建设局 (Haishu Housing and Construction Bureau)');
  const hidden = await get('op-t1', '/open311/v2/requests/c15.json');
  assert.equal(hidden.status, 404);
  assert.deepEqual(hidden.body.error.code, 'GW_CLUE_NOT_FOUND');
  const missing = await get('op-t1', '/open311/v2/requests/nope.json');
  assert.deepEqual([missing.status, missing.body.error.code], [404, 'GW_CLUE_NOT_FOUND'], 'out of scope answers as missing');
  assert.equal((await get(null, '/open311/v2/requests.json')).status, 401);
  assert.equal((await get(null, '/open311/v2/services.json')).status, 401);
  assert.equal((await get(null, '/open311/v2/requests/c01.json')).status, 401);
  assert.equal((await get('op-t1', '/open311/v2/requests.json?api_key=x')).status, 400);
});

test('every GET endpoint refuses a query parameter it does not know, naming it', async () => {
  const admin = 'admin-every';
  await user(admin, 'admin', []);
  const every = await startTestApp(db.pool, { routes: offlineApiRoutes() });
  try {
    const gets = offlineApiRoutes().filter((r) => r.spec.method === 'get' && !r.spec.path.includes(':'));
    assert.ok(gets.length >= 15, 'the lists are all there');
    for (const r of gets) {
      const res = await api(`${every.url}${r.spec.path}?bogus=1`, { token: tokens[admin] });
      assert.equal(res.status, 400, r.spec.path);
      assert.match(res.body.error.details.problems[0], /^bogus: unknown parameter/, r.spec.path);
    }
    const devices = await api(`${every.url}/api/v1/devices?prefex=truck`, { token: tokens[admin] });
    assert.equal(devices.status, 400, 'a misspelt /devices filter no longer returns everything');
  } finally {
    await every.close();
  }
});
