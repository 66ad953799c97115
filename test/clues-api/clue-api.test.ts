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
import { T0, stored, truck } from '../pipeline/helpers/events.js';

const log = createLogger('silent');
let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
const tokens: Record<string, string> = {};
/** Clue codes: A in the empowered town (team A), B in the other (construction department). */
let A: string;
let B: string;

async function user(username: string, role: Role, scopes: string[], unitId: string | null = null): Promise<void> {
  const password = `pw-${username}-secret`;
  await createUser(db.pool, { username, password, displayName: username, role, scopes, unitId });
  const r = await api(`${app.url}/api/v1/auth/login`, { body: { username, password } });
  tokens[username] = r.body.token;
}

const get = (who: string, path: string) => api(`${app.url}${path}`, { token: tokens[who] });
const act = (who: string, code: string, body: unknown) => api(`${app.url}/api/v1/clues/${code}/actions`, { token: tokens[who], body });

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  const store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  const pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => T0 + 60_000 });
  await pipeline.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
  const { rows } = await db.pool.query<{ code: string }>('SELECT code FROM clues ORDER BY town_code');
  [A, B] = rows.map((r) => r.code) as [string, string];
  const routing = miniRouting(store);
  app = await startTestApp(db.pool, { routes: clueRoutes(db.pool, routing) });
  await user('op-district', 'operator', ['330203']);
  await user('op-town-a', 'operator', [TOWN_A.code]);
  await user('op-elsewhere', 'operator', ['330212']);
  await user('planner', 'planner', []);
  await user('officer-construction', 'officer', [], 'dept-330203-construction');
  await user('worker-a', 'worker', [TOWN_A.code], `team-${TOWN_A.code}`);
});
after(async () => {
  await app?.close();
  await db.close();
});

test('the list shows each user the clues of their jurisdiction or their unit only', async () => {
  const codes = async (who: string, query = '') => (await get(who, `/api/v1/clues${query}`)).body.clues.map((c: { code: string }) => c.code).sort();
  assert.deepEqual(await codes('op-district'), [A, B].sort());
  assert.deepEqual(await codes('planner'), [A, B].sort());
  assert.deepEqual(await codes('op-town-a'), [A]);
  assert.deepEqual(await codes('officer-construction'), [B], 'an unscoped officer sees what is assigned to their unit');
  assert.deepEqual(await codes('op-elsewhere'), []);
  assert.equal((await api(`${app.url}/api/v1/clues`)).status, 401);
});

test('filters: status, item, town, unit, bbox, review', async () => {
  const codes = async (query: string) => (await get('op-district', `/api/v1/clues?${query}`)).body.clues.map((c: { code: string }) => c.code).sort();
  assert.deepEqual(await codes(`town=${TOWN_B.code}`), [B]);
  assert.deepEqual(await codes('unit=dept-330203-construction'), [B]);
  assert.deepEqual(await codes(`unit=team-${TOWN_B.code}`), [B], 'co-notified units count');
  assert.deepEqual(await codes(`item=${encodeURIComponent('住建-渣土-01')}`), [A, B].sort());
  assert.deepEqual(await codes('status=new,dispatched'), [A, B].sort());
  assert.deepEqual(await codes('status=closed'), []);
  assert.deepEqual(await codes('bbox=121.50,29.86,121.53,29.90'), [A]);
  assert.deepEqual(await codes('review=true'), []);
  const bad = await get('op-district', '/api/v1/clues?bbox=1,2,3&status=lost');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'GW_VALIDATION');
  const misspelt = await get('op-district', `/api/v1/clues?twon=${TOWN_B.code}`);
  assert.equal(misspelt.status, 400, 'an unknown filter is refused, not ignored');
  assert.deepEqual(misspelt.body.error.details.problems, ['twon: unknown parameter (known: status, item, kind, town, jurisdiction, unit, bbox, review, from, to, overdue, q, limit, cursor, format)']);
  const nul = await get('op-district', '/api/v1/clues?town=%00');
  assert.equal(nul.status, 400);
  assert.deepEqual(nul.body.error.details.problems, ['town: contains a NUL character (\\u0000)']);
});

test('the detail has the routing reasons and the timeline; out of scope is refused', async () => {
  const r = await get('op-town-a', `/api/v1/clues/${A}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.clue.primaryUnitId, `team-${TOWN_A.code}`);
  assert.deepEqual(r.body.clue.item, { code: '住建-渣土-01', name: { zh: '随意倾倒、抛撒建筑垃圾', en: 'Dumping construction waste outside a licensed site' } });
  assert.equal(r.body.clue.deadline, new Date(T0 + 25_000 + 120 * 60_000).toISOString());
  assert.ok(r.body.clue.reasons.some((x: { rule: string; zh: string }) => x.rule === 'empowered' && x.zh.includes(TOWN_A.name)));
  assert.deepEqual(r.body.timeline.map((t: { action: string }) => t.action), ['opened']);
  // What each may do next, as the action route would accept it: the command centre dispatches, the unit waits.
  assert.deepEqual(r.body.nextActions, ['dispatch', 'escalate', 'reroute', 'merge']);
  assert.deepEqual((await get('worker-a', `/api/v1/clues/${A}`)).body.nextActions, []);

  const refused = await get('op-town-a', `/api/v1/clues/${B}`);
  assert.equal(refused.status, 404);
  assert.equal(refused.body.error.code, 'GW_CLUE_NOT_FOUND');
  assert.equal((await get('op-elsewhere', `/api/v1/clues/${A}`)).body.error.code, 'GW_CLUE_NOT_FOUND');
  assert.equal((await get('op-district', '/api/v1/clues/330203-20990101-0001')).body.error.code, 'GW_CLUE_NOT_FOUND');
});

test('a clue outside your jurisdiction does not exist for you: GET, actions and merge answer as for an unknown code', async () => {
  const unknown = '330203-20990101-0001';
  /** Everything a client sees of a refusal, with the code it asked for blanked out. */
  const seen = (r: { status: number; body: any }, code: string) => ({
    status: r.status,
    error: { ...r.body.error, message: r.body.error.message.replaceAll(code, '<code>') },
  });
  const same = async (what: string, foreign: Promise<{ status: number; body: any }>, missing: Promise<{ status: number; body: any }>) => {
    const f = await foreign;
    assert.deepEqual(seen(f, B), seen(await missing, unknown), `${what}: a foreign code answers exactly as an unknown one`);
    assert.ok(!f.body.error.message.includes(TOWN_B.code) && !f.body.error.message.includes(TOWN_B.name), `${what}: the foreign clue's town is not named`);
    return f;
  };
  const get404 = await same('GET', get('op-town-a', `/api/v1/clues/${B}`), get('op-town-a', `/api/v1/clues/${unknown}`));
  assert.equal(get404.status, 404);
  assert.equal(get404.body.error.code, 'GW_CLUE_NOT_FOUND');
  for (const body of [{ type: 'dispatch' }, { type: 'close' }, { type: 'merge', intoCode: A }]) {
    const r = await same(`action ${body.type}`, act('op-town-a', B, body), act('op-town-a', unknown, body));
    assert.equal(r.status, 404);
  }
  // Merging one's own clue into a foreign one: the target does not exist either.
  const merge = await same('merge into', act('op-town-a', A, { type: 'merge', intoCode: B }), act('op-town-a', A, { type: 'merge', intoCode: unknown }));
  assert.equal(merge.status, 422);
  assert.equal(merge.body.error.code, 'GW_CLUE_INVALID');
  assert.match(merge.body.error.message, /no such clue$/);
});

test('actions: permissions, scope and status are checked; each one is in the timeline and the outbox', async () => {
  const outOfScope = await act('op-town-a', B, { type: 'dispatch' });
  assert.equal(outOfScope.status, 404);
  assert.equal(outOfScope.body.error.code, 'GW_CLUE_NOT_FOUND');
  const tooEarly = await act('officer-construction', B, { type: 'accept' });
  assert.equal(tooEarly.status, 409);
  assert.equal(tooEarly.body.error.code, 'GW_CLUE_STATE');
  const planner = await act('planner', B, { type: 'dispatch' });
  assert.equal(planner.status, 403);
  assert.equal(planner.body.error.code, 'GW_FORBIDDEN');
  const notCommand = await act('officer-construction', B, { type: 'dispatch' });
  assert.equal(notCommand.body.error.code, 'GW_CLUE_FORBIDDEN');
  const unknownUnit = await act('op-district', B, { type: 'dispatch', toUnitId: 'nobody' });
  assert.equal(unknownUnit.status, 422);
  assert.equal(unknownUnit.body.error.code, 'GW_CLUE_INVALID');

  const dispatched = await act('op-district', B, { type: 'dispatch' });
  assert.equal(dispatched.status, 200);
  assert.equal(dispatched.body.clue.status, 'dispatched');
  const accepted = await act('officer-construction', B, { type: 'accept' });
  assert.equal(accepted.body.clue.status, 'accepted');

  const detail = await get('op-district', `/api/v1/clues/${B}`);
  assert.deepEqual(
    detail.body.timeline.map((t: { action: string; actor: string; from: string; to: string }) => [t.action, t.actor, t.from, t.to]),
    [
      ['opened', 'pipeline', 'new', 'new'],
      ['dispatch', 'op-district', 'new', 'dispatched'],
      ['accept', 'officer-construction', 'dispatched', 'accepted'],
    ],
  );
  const outbox = await db.pool.query(`SELECT change, unit_ids, payload FROM clue_outbox WHERE clue_code = $1 ORDER BY id`, [B]);
  assert.deepEqual(outbox.rows.map((o) => o.change), ['created', 'transitioned', 'transitioned']);
  assert.equal(outbox.rows[2].payload.transition.action, 'accept');
  assert.deepEqual([...outbox.rows[2].unit_ids].sort(), ['dept-330203-construction', `team-${TOWN_B.code}`]);
});

test('rejected by two units, a clue goes to the district co-ordination office', async () => {
  assert.equal((await act('op-district', A, { type: 'dispatch' })).body.clue.status, 'dispatched');
  const first = await act('worker-a', A, { type: 'reject', reason: '不属于本队职责' });
  assert.equal(first.body.clue.status, 'rejected');
  const rerouted = await act('op-district', A, { type: 'dispatch', toUnitId: 'dept-330203-construction' });
  assert.equal(rerouted.body.clue.primaryUnitId, 'dept-330203-construction');
  assert.equal((await get('officer-construction', `/api/v1/clues/${A}`)).status, 200, 'the new unit now sees it');
  const second = await act('officer-construction', A, { type: 'reject', reason: '属地管理' });
  assert.equal(second.body.clue.status, 'dispatched');
  assert.equal(second.body.clue.primaryUnitId, 'coord-330203');
  assert.deepEqual(second.body.clue.rejectedBy, [`team-${TOWN_A.code}`, 'dept-330203-construction']);
  const outbox = await db.pool.query(`SELECT unit_ids FROM clue_outbox WHERE clue_code = $1 ORDER BY id DESC LIMIT 1`, [A]);
  assert.ok(outbox.rows[0].unit_ids.includes('dept-330203-construction'), 'the unit the clue left is told too');
  assert.equal((await get('officer-construction', `/api/v1/clues/${A}`)).status, 404, 'and then no longer sees it');
});

test('OpenAPI documents the clue endpoints: the action body, the answers and who may act', async () => {
  const doc = (await api(`${app.url}/api/v1/openapi.json`)).body;
  assert.ok(doc.paths['/api/v1/clues'].get.parameters.some((p: { name: string }) => p.name === 'bbox'));
  assert.ok(doc.paths['/api/v1/clues/{code}'].get);
  const detail = doc.paths['/api/v1/clues/{code}'].get.responses['200'].content['application/json'].schema;
  // The clue is the named ClueView schema the web's generated types use.
  assert.equal(detail.properties.clue.$ref, '#/components/schemas/ClueView');
  assert.ok(doc.components.schemas.ClueView.properties.reasons && detail.properties.timeline.items, 'the answer is documented');
  const action = doc.paths['/api/v1/clues/{code}/actions'].post;
  assert.deepEqual(action['x-roles'], ['admin', 'operator', 'officer', 'worker']);
  assert.match(action.responses['409'].description, /GW_CLUE_STATE/);
  const body = action.requestBody.content['application/json'].schema;
  assert.deepEqual(
    body.oneOf.map((s: { properties: { type: { const: string } } }) => s.properties.type.const).sort(),
    ['accept', 'close', 'closeAtSource', 'dispatch', 'escalate', 'feedback', 'merge', 'reject', 'reroute', 'return', 'start', 'transfer', 'verify'],
  );
});

test('acknowledging the urgent alarm is recorded on the timeline; a clue out of scope answers as an unknown code', async () => {
  const ack = (who: string, code: string) => api(`${app.url}/api/v1/clues/${code}/alarm-ack`, { token: tokens[who], body: {} });
  const r = await ack('op-town-a', A);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.code, A);
  assert.equal(r.body.by, 'op-town-a');
  const timeline = (await get('op-town-a', `/api/v1/clues/${A}`)).body.timeline as { action: string; actor: string; detail: { alarm?: { severity: string } } }[];
  const row = timeline.find((t) => t.action === 'alarm.ack');
  assert.ok(row, `the timeline has the acknowledgement (${timeline.map((t) => t.action).join(', ')})`);
  assert.equal(row.actor, 'op-town-a');
  assert.ok(row.detail.alarm?.severity);
  const { rows } = await db.pool.query(`SELECT change FROM clue_outbox WHERE clue_code = $1 AND change = 'alarm'`, [A]);
  assert.equal(rows.length, 1, 'an alarm clue event is queued');

  const foreign = await ack('op-town-a', B);
  const unknown = await ack('op-town-a', '330203-20990101-0001');
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.error.code, 'GW_CLUE_NOT_FOUND');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'GW_CLUE_NOT_FOUND');
  assert.equal((await ack('op-elsewhere', A)).status, 404);
  const extra = await api(`${app.url}/api/v1/clues/${A}/alarm-ack`, { token: tokens['op-town-a'], body: { silent: true } });
  assert.equal(extra.status, 400, 'unknown body fields are refused');
});
