import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { createUser, type Role } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { clueRoutes } from '../../server/clues/clue.routes.js';
import { recordChanges } from '../../server/clues/stored-clue.js';
import { withTransaction } from '../../db/transaction.js';
import { LiveHub } from '../../server/live/live-hub.js';
import { purgeWorkerPositions, workerDutyRoutes } from '../../server/live/worker-duty.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { api, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { T0, stored, truck } from '../pipeline/helpers/events.js';
import { DEVICES, PLACES, TOWN_A, TOWN_B, miniCatalogue, miniLocator, miniRouting } from '../pipeline/helpers/mini-city.js';
import { LiveClient } from './live-client.js';

const log = createLogger('silent');
let db: TestDb;
/**
 * On real PostgreSQL a pool with several connections, so two accepts really run at once. The
 * embedded PGlite serves one session, which the service uses through a one-connection pool
 * (db/database.ts), so there the two accepts queue for it.
 */
let pool: pg.Pool;
let app: Awaited<ReturnType<typeof startTestApp>>;
let hub: LiveHub;
let store: CatalogueStore;
const tokens: Record<string, string> = {};
const ids: Record<string, number> = {};
const TEAM_A = `team-${TOWN_A.code}`;
/** The grid cell clue A opens in (town A, cell 1). */
const CELL_A1 = `${TOWN_A.code}001001`;
/** About `m` metres north of the dumping place in town A. */
const north = (m: number) => ({ lon: PLACES.dumpA.lon, lat: PLACES.dumpA.lat + m / 111_320 });

async function user(username: string, role: Role, scopes: string[], unitId: string | null = null): Promise<void> {
  const password = `pw-${username}-secret`;
  ids[username] = (await createUser(db.pool, { username, password, displayName: username, role, scopes, unitId })).id;
  tokens[username] = (await api(`${app.url}/api/v1/auth/login`, { body: { username, password } })).body.token;
}
const post = (who: string, path: string, body: unknown) => api(`${app.url}${path}`, { token: tokens[who], body });
const at = () => new Date().toISOString();

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  pool = new pg.Pool({ connectionString: db.connectionString, max: db.backend === 'postgres' ? 4 : 1 });
  store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  hub = new LiveHub({ pool, log, pollMs: 50, figuresMs: 60_000 });
  await hub.start();
  app = await startTestApp(pool, {
    routes: [...clueRoutes(pool, miniRouting(store)), ...workerDutyRoutes(pool)],
    attach: (server) => hub.attach(server),
  });
  await user('op-district', 'operator', ['330203']);
  await user('w-near', 'worker', [], TEAM_A);
  await user('w-far', 'worker', [], TEAM_A);
  await user('w-off', 'worker', [], TEAM_A);
  await user('w-cell', 'worker', [CELL_A1], TEAM_A);
  await user('w-out-of-range', 'worker', [], TEAM_A);
  await user('w-other-unit', 'worker', [TOWN_B.code], `team-${TOWN_B.code}`);
});
after(async () => {
  await hub?.stop();
  await app?.close();
  await pool?.end();
  await db.close();
});

test('duty and position: workers only, opt-in, validated, throttled', async () => {
  assert.equal((await post('op-district', '/api/v1/me/duty', { onDuty: true })).status, 403);
  const bad = await post('w-near', '/api/v1/me/duty', { onDuty: 'yes', radiusM: 5 });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'GW_VALIDATION');
  const offDuty = await post('w-off', '/api/v1/me/position', { ...north(50), accuracyM: 5, at: at() });
  assert.equal(offDuty.status, 409);
  assert.equal(offDuty.body.error.code, 'GW_LIVE_OFF_DUTY');
  assert.equal((await post('w-near', '/api/v1/me/position', { lon: 200, lat: 0, at: at() })).status, 400);

  for (const w of ['w-near', 'w-far', 'w-cell', 'w-out-of-range', 'w-other-unit']) {
    const r = await post(w, '/api/v1/me/duty', { onDuty: true, radiusM: 1000 });
    assert.equal(r.status, 200);
    assert.equal(r.body.onDuty, true);
  }
  const fixes: [string, { lon: number; lat: number }][] = [
    ['w-near', north(100)],
    ['w-far', north(700)],
    ['w-out-of-range', north(3000)],
    ['w-other-unit', north(20)],
  ];
  for (const [w, p] of fixes) {
    const r = await post(w, '/api/v1/me/position', { ...p, accuracyM: 8, at: at() });
    assert.equal(r.status, 202);
    assert.deepEqual(r.body, { stored: true });
  }
  const again = await post('w-near', '/api/v1/me/position', { ...north(5000), accuracyM: 8, at: at() });
  assert.deepEqual(again.body, { stored: false }, 'a second fix within 5 s is dropped');
  // w-off was on duty once, near the place, and went off again: its old fix must not count.
  await post('w-off', '/api/v1/me/duty', { onDuty: true, radiusM: 1000 });
  await post('w-off', '/api/v1/me/position', { ...north(30), accuracyM: 8, at: at() });
  const off = await post('w-off', '/api/v1/me/duty', { onDuty: false, radiusM: 1000 });
  assert.equal(off.body.onDuty, false);
  assert.ok(off.body.endedAt);
});

test('a new clue is pushed to the on-duty workers of its unit nearby or in its cell, nearest first; a race of two accepts has one winner', async () => {
  const clients: Record<string, LiveClient> = {};
  for (const w of ['w-near', 'w-far', 'w-off', 'w-cell', 'w-out-of-range', 'w-other-unit']) {
    clients[w] = await LiveClient.open(app.url, tokens[w]!);
    await clients[w].subscribe();
  }
  const pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => T0 + 60_000 });
  await pipeline.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA)]));
  const code = (await db.pool.query<{ code: string; grid_code: string }>('SELECT code, grid_code FROM clues')).rows[0]!;
  assert.equal(code.grid_code, CELL_A1);

  const alerts = await Promise.all(['w-near', 'w-far', 'w-cell'].map((w) => clients[w]!.next((m) => m.type === 'alert')));
  assert.deepEqual(
    alerts.map((a) => [a.code, a.rank, a.of]),
    [
      [code.code, 1, 3],
      [code.code, 2, 3],
      [code.code, 3, 3],
    ],
  );
  assert.ok(Math.abs(alerts[0].distanceM - 100) <= 2, `near: ${alerts[0].distanceM} m`);
  assert.ok(Math.abs(alerts[1].distanceM - 700) <= 5, `far: ${alerts[1].distanceM} m`);
  assert.equal(alerts[2].distanceM, null, 'the cell holder has no fix: alerted for the cell, ranked last');
  for (const w of ['w-off', 'w-out-of-range', 'w-other-unit']) {
    await clients[w]!.flush();
    assert.equal(clients[w]!.messages.filter((m) => m.type === 'alert').length, 0, `${w} gets no alert`);
  }

  assert.equal((await post('op-district', `/api/v1/clues/${code.code}/actions`, { type: 'dispatch' })).status, 200);
  const [a, b] = await Promise.all([
    post('w-near', `/api/v1/clues/${code.code}/actions`, { type: 'accept' }),
    post('w-far', `/api/v1/clues/${code.code}/actions`, { type: 'accept' }),
  ]);
  assert.deepEqual([a.status, b.status].sort(), [200, 409], 'one accept wins');
  const loser = a.status === 409 ? a : b;
  assert.equal(loser.body.error.code, 'GW_CLUE_STATE');
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM clue_timeline WHERE action = 'accept'`);
  assert.equal(rows[0]!.n, 1, 'one acceptance on the record');
  for (const w of ['w-near', 'w-far', 'w-cell']) {
    const taken = await clients[w]!.next((m) => m.type === 'changed' && m.fields.status === 'accepted');
    assert.equal(taken.code, code.code, `${w} sees it taken`);
  }

  // The deadline scheduler's escalation (the agreed 'deadline' event) alerts them again; a warning does not.
  const { clue } = (await api(`${app.url}/api/v1/clues/${code.code}`, { token: tokens['op-district'] })).body;
  const clueId = Number((await db.pool.query<{ id: string }>('SELECT id FROM clues WHERE code = $1', [code.code])).rows[0]!.id);
  const deadline = (kind: 'warning' | 'escalated') => ({
    clue_id: clueId,
    clue_code: code.code,
    change: 'deadline' as const,
    unit_ids: [TEAM_A],
    payload: { change: 'deadline', clue, step: { kind, deadline: 'close', dueAt: clue.deadline }, timeline: {} },
  });
  await withTransaction(db.pool, (client) => recordChanges(client, [], [deadline('warning'), deadline('escalated')]));
  const escalated = await Promise.all(['w-near', 'w-far', 'w-cell'].map((w) => clients[w]!.next((m) => m.type === 'alert' && m.change === 'deadline')));
  assert.deepEqual(escalated.map((a) => a.rank), [1, 2, 3]);
  for (const w of ['w-near', 'w-off']) {
    await clients[w]!.flush();
    assert.equal(clients[w]!.messages.filter((m) => m.type === 'alert').length, w === 'w-near' ? 2 : 0, `${w}: the warning alerts nobody`);
  }
  for (const c of Object.values(clients)) c.close();
});

test('positions are purged after the duty period plus the retention, not during duty', async () => {
  await db.pool.query(`UPDATE worker_positions SET received_at = received_at - interval '2 hours'`);
  await db.pool.query(`UPDATE worker_duty SET since = since - interval '3 hours'`);
  const purged = await purgeWorkerPositions(db.pool, 3600_000);
  assert.equal(purged, 1, "only w-off's fix: it is off duty");
  const { rows } = await db.pool.query<{ user_id: string }>('SELECT user_id FROM worker_positions ORDER BY user_id');
  assert.ok(!rows.some((r) => Number(r.user_id) === ids['w-off']));
  assert.equal(rows.length, 4);
});
