/**
 * The tasks list (任务单, GET /api/v1/tasks) and the lifecycle actions of issue 9 over HTTP:
 * scope and unit, counts and filters, next actions, close at source, escalation's procedure
 * and re-routing, on the mini city (A = the empowered town, B = the other).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { createUser, type Role } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { clueRoutes } from '../../server/clues/clue.routes.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { api, startTestApp } from '../helpers/app.js';
import { DEVICES, PLACES, TOWN_A, TOWN_B, miniCatalogue, miniLocator, miniRouting } from '../pipeline/helpers/mini-city.js';
import { T0, parking, stored, truck } from '../pipeline/helpers/events.js';

const log = createLogger('silent');
let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
const tokens: Record<string, string> = {};
/** Dumping in town A (team A), dumping in town B (construction department), pavement parking in town A (team A). */
let A: string;
let B: string;
let P: string;
const TEAM_A = `team-${TOWN_A.code}`;

async function user(username: string, role: Role, scopes: string[], unitId: string | null = null): Promise<void> {
  const password = `pw-${username}-secret`;
  await createUser(db.pool, { username, password, displayName: username, role, scopes, unitId });
  tokens[username] = (await api(`${app.url}/api/v1/auth/login`, { body: { username, password } })).body.token;
}
const get = (who: string, path: string) => api(`${app.url}${path}`, { token: tokens[who] });
const act = (who: string, code: string, body: unknown) => api(`${app.url}/api/v1/clues/${code}/actions`, { token: tokens[who], body });
const tasks = async (who: string, query = '') => {
  const r = await get(who, `/api/v1/tasks${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as { unitId: string; tasks: { clue: { code: string; status: string }; nextActions: string[] }[]; counts: Record<string, number>; total: number };
};
const codes = (t: Awaited<ReturnType<typeof tasks>>) => t.tasks.map((x) => x.clue.code).sort();

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  const store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  const locator = miniLocator();
  const pipeline = new CluePipeline({ pool: db.pool, locator, catalogue: store, log, now: () => T0 + 800_000 });
  await pipeline.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
  await pipeline.handle(await stored(db.pool, [parking(0, '浙B12345', 'enter'), parking(700, '浙B12345', 'present')]));
  const { rows } = await db.pool.query<{ code: string; item_code: string; town_code: string }>('SELECT code, item_code, town_code FROM clues ORDER BY id');
  A = rows.find((r) => r.town_code === TOWN_A.code && r.item_code === '住建-渣土-01')!.code;
  B = rows.find((r) => r.town_code === TOWN_B.code)!.code;
  P = rows.find((r) => r.item_code === '城管-停车-01')!.code;
  const routing = miniRouting(store);
  app = await startTestApp(db.pool, { routes: clueRoutes(db.pool, routing) });
  await user('op-district', 'operator', ['330203'], 'coord-330203');
  await user('op-no-unit', 'operator', ['330203']);
  await user('officer-a', 'officer', [TOWN_A.code], TEAM_A);
  await user('worker-a', 'worker', [TOWN_A.code], TEAM_A);
  await user('worker-a-elsewhere', 'worker', ['330212'], TEAM_A);
  await user('worker-b', 'worker', [TOWN_B.code], `team-${TOWN_B.code}`);
  await user('officer-construction', 'officer', [], 'dept-330203-construction');
  await user('planner', 'planner', []);
});
after(async () => {
  await app?.close();
  await db.close();
});

test('tasks: the open clues whose primary unit is mine, with counts, and nothing to do while they are new', async () => {
  const mine = await tasks('worker-a');
  assert.equal(mine.unitId, TEAM_A);
  assert.deepEqual(codes(mine), [A, P].sort());
  assert.equal(mine.counts.new, 2);
  assert.equal(mine.total, 2);
  assert.deepEqual(mine.tasks.map((t) => t.nextActions), [[], []], 'a new clue waits for the command centre to dispatch it');
  assert.deepEqual(codes(await tasks('officer-construction')), [B], 'a department sees its own, wherever it is');
  assert.deepEqual(codes(await tasks('worker-b')), [], 'co-notified is not assigned: town B’s team has no task');
  assert.deepEqual(codes(await tasks('worker-a-elsewhere')), [A, P].sort(), 'the unit’s tasks follow the unit, as canSeePlace does');
  const operator = await tasks('op-district');
  assert.deepEqual(operator.tasks.map((t) => t.nextActions), [], 'the district office holds no clue yet');
});

test('tasks: who has no unit gets 409 GW_TASKS_NO_UNIT; no token 401', async () => {
  for (const who of ['op-no-unit', 'planner']) {
    const r = await get(who, '/api/v1/tasks');
    assert.equal(r.status, 409);
    assert.equal(r.body.error.code, 'GW_TASKS_NO_UNIT');
  }
  assert.equal((await api(`${app.url}/api/v1/tasks`)).status, 401);
});

test('tasks: next actions follow dispatch; filters status, item, kind; bad filters are refused', async () => {
  for (const code of [A, P]) assert.equal((await act('op-district', code, { type: 'dispatch' })).status, 200);
  const mine = await tasks('worker-a');
  assert.deepEqual(mine.tasks.map((t) => t.nextActions), [['accept', 'reject', 'transfer'], ['accept', 'reject', 'transfer']]);
  assert.equal(mine.counts.dispatched, 2);
  assert.deepEqual(codes(await tasks('worker-a', `?item=${encodeURIComponent('城管-停车-01')}`)), [P]);
  assert.deepEqual(codes(await tasks('worker-a', '?kind=waste-truck')), [A]);
  const none = await tasks('worker-a', '?status=new');
  assert.deepEqual([codes(none), none.total, none.counts.dispatched], [[], 0, 2], 'an empty page still counts the other statuses');
  const page = await tasks('worker-a', '?status=dispatched,accepted&limit=1');
  assert.deepEqual([page.tasks.length, page.total], [1, 2]);
  const past = await tasks('worker-a', '?offset=5');
  assert.deepEqual([past.tasks.length, past.total, past.counts.dispatched], [0, 2, 2], 'a page past the end: no task, the same counts');
  for (const [q, problem] of [
    ['?status=closed', /status/],
    ['?kind=drone', /kind/],
    ['?town=330203001', /town: unknown parameter/],
  ] as const) {
    const r = await get('worker-a', `/api/v1/tasks${q}`);
    assert.equal(r.status, 400, q);
    assert.match(r.body.error.details.problems.join(' '), problem);
  }
});

test('close at source (源头化解): a worker of the unit, an item marked for it; counted on the clue; gone from the tasks', async () => {
  assert.equal((await act('worker-a', P, { type: 'accept' })).status, 200);
  const officer = await act('officer-a', P, { type: 'closeAtSource', note: '现场劝离' });
  assert.deepEqual([officer.status, officer.body.error.code], [403, 'GW_CLUE_FORBIDDEN'], 'an officer is not a grid worker');
  const foreign = await act('worker-b', P, { type: 'closeAtSource', note: '现场劝离' });
  assert.deepEqual([foreign.status, foreign.body.error.code], [404, 'GW_CLUE_NOT_FOUND']);
  const blank = await act('worker-a', P, { type: 'closeAtSource', note: ' ' });
  assert.equal(blank.status, 400);
  assert.deepEqual((await tasks('worker-a', `?item=${encodeURIComponent('城管-停车-01')}`)).tasks[0]!.nextActions, ['start', 'feedback', 'transfer', 'closeAtSource']);

  const closed = await act('worker-a', P, { type: 'closeAtSource', note: '现场劝导车主驶离' });
  assert.equal(closed.status, 200);
  assert.deepEqual([closed.body.clue.status, closed.body.clue.closedAtSource], ['closed', true]);
  const { rows } = await db.pool.query('SELECT closed_at_source FROM clues WHERE code = $1', [P]);
  assert.equal(rows[0].closed_at_source, true);
  assert.deepEqual(codes(await tasks('worker-a')), [A], 'a closed clue is no task');

  assert.equal((await act('worker-a', A, { type: 'accept' })).status, 200);
  const notMarked = await act('worker-a', A, { type: 'closeAtSource', note: '已清理' });
  assert.deepEqual([notMarked.status, notMarked.body.error.code], [422, 'GW_CLUE_INVALID'], 'dumping is not an item to close at source');
});

test('escalation (立案) names its procedure; transfer and reject need reasons', async () => {
  const missing = await act('op-district', A, { type: 'escalate', reason: '拒不整改' });
  assert.equal(missing.status, 400);
  const wrong = await act('op-district', A, { type: 'escalate', reason: '拒不整改', procedure: 'summary' });
  assert.equal(wrong.status, 400);
  assert.equal((await act('worker-a', A, { type: 'transfer', toUnitId: 'dept-330203-construction' })).status, 400);
  const ok = await act('op-district', A, { type: 'escalate', reason: '拒不整改，立案查处', procedure: 'normal' });
  assert.equal(ok.status, 200);
  assert.deepEqual([ok.body.clue.status, ok.body.event.changes.procedure], ['escalated', 'normal']);
  const detail = await get('op-district', `/api/v1/clues/${A}`);
  assert.equal(detail.body.timeline.at(-1).detail.changes.procedure, 'normal');
});

test('re-route: the operator routes again under the version in force now; the timeline keeps both decisions', async () => {
  const refused = await act('officer-construction', B, { type: 'reroute' });
  assert.deepEqual([refused.status, refused.body.error.code], [403, 'GW_CLUE_FORBIDDEN']);
  const r = await act('op-district', B, { type: 'reroute' });
  assert.equal(r.status, 200);
  assert.equal(r.body.clue.status, 'new', 'a new clue stays for the command centre to dispatch');
  assert.equal(r.body.clue.primaryUnitId, 'dept-330203-construction');
  const last = (await get('op-district', `/api/v1/clues/${B}`)).body.timeline.at(-1);
  assert.equal(last.action, 'reroute');
  assert.equal(last.detail.previous.primaryUnitId, 'dept-330203-construction');
  assert.ok(last.detail.previous.reasons.some((x: { rule: string }) => x.rule === 'not-empowered'));
  assert.ok(last.detail.changes.reasons.some((x: { rule: string }) => x.rule === 'not-empowered'));
  assert.equal(typeof last.detail.changes.catalogueVersion, 'number');
});
