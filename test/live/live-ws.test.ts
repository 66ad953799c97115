import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { createUser, setUserDisabled, type Role, type User } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { applyClueAction, type ClueActionInput } from '../../server/clues/clue-actions.js';
import { clueRoutes } from '../../server/clues/clue.routes.js';
import { LiveHub } from '../../server/live/live-hub.js';
import { placeCodes } from '../../server/live/live-diff.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { api, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { T0, stored, truck } from '../pipeline/helpers/events.js';
import { DEVICES, PLACES, TOWN_A, TOWN_B, miniCatalogue, miniLocator, miniRouting } from '../pipeline/helpers/mini-city.js';
import { LiveClient } from './live-client.js';

const log = createLogger('silent');
let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
let hub: LiveHub;
let store: CatalogueStore;
let pipeline: CluePipeline;
const users: Record<string, User> = {};
const tokens: Record<string, string> = {};
let A: string;
let B: string;
const TEAM_A = `team-${TOWN_A.code}`;
const TEAM_B = `team-${TOWN_B.code}`;

async function user(username: string, role: Role, scopes: string[], unitId: string | null = null): Promise<void> {
  const password = `pw-${username}-secret`;
  users[username] = await createUser(db.pool, { username, password, displayName: username, role, scopes, unitId });
  tokens[username] = (await api(`${app.url}/api/v1/auth/login`, { body: { username, password } })).body.token;
}

/** Waits until the hub has fanned out every event now in the outbox. */
async function settle(): Promise<void> {
  const { rows } = await db.pool.query<{ id: string }>('SELECT coalesce(max(id), 0) AS id FROM clue_outbox');
  while (hub.seq < Number(rows[0]!.id)) await hub.catchUp();
}

const act = (who: string, code: string, input: ClueActionInput) => applyClueAction(db.pool, miniRouting(store)(), users[who]!, code, input, '127.0.0.1');

let flip = false;
/** One more change to clue B: it is transferred back and forth between its department and team B. */
async function bumpB(): Promise<void> {
  flip = !flip;
  await act('op-district', B, { type: 'transfer', toUnitId: flip ? TEAM_B : 'dept-330203-construction', reason: '调整 / adjust' });
}

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => T0 + 60_000 });
  const locator = miniLocator();
  hub = new LiveHub({
    pool: db.pool,
    log,
    pollMs: 50,
    tokenCheckMs: 100,
    figuresMs: 300,
    deviceHealthMs: 100,
    ringSize: 12,
    maxBufferedBytes: 512 * 1024,
    locate: (lon, lat) => placeCodes(locator.locate(lon, lat)),
  });
  await hub.start();
  app = await startTestApp(db.pool, {
    routes: clueRoutes(db.pool, miniRouting(store)),
    attach: (server) => hub.attach(server),
    onTokenRevoked: (token) => hub.revokeToken(token),
  });
  await user('op-district', 'operator', ['330203']);
  await user('op-a', 'operator', [TOWN_A.code]);
  await user('op-b', 'operator', [TOWN_B.code]);
  await user('officer-team-a', 'officer', [], TEAM_A);
  await user('officer-team-b', 'officer', [], TEAM_B);
});
after(async () => {
  await hub?.stop();
  await app?.close();
  await db.close();
});

test('each user receives only the clues they may see; a transfer closes the clue for the unit it left', async () => {
  const clients: Record<string, LiveClient> = {};
  for (const who of ['op-a', 'op-b', 'officer-team-a', 'officer-team-b']) {
    clients[who] = await LiveClient.open(app.url, tokens[who]!, who === 'op-b' ? 'protocol' : 'header');
    await clients[who].subscribe();
  }
  await pipeline.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
  const { rows } = await db.pool.query<{ code: string }>('SELECT code FROM clues ORDER BY town_code');
  [A, B] = rows.map((r) => r.code) as [string, string];
  await act('op-district', A, { type: 'dispatch' });
  await act('op-district', A, { type: 'transfer', toUnitId: TEAM_B, reason: '属地调整 / reassigned' });
  await act('officer-team-b', A, { type: 'accept' });
  await act('op-district', B, { type: 'dispatch' });
  await settle();
  for (const c of Object.values(clients)) await c.flush();

  const seen = (who: string) => clients[who]!.diffs().map((d) => [d.type, d.code, d.type === 'changed' ? d.fields.status ?? '-' : d.type === 'closed' ? d.reason : '']);
  assert.deepEqual(seen('op-a'), [
    ['opened', A, ''],
    ['changed', A, 'dispatched'],
    ['changed', A, 'transferred'],
    ['changed', A, 'accepted'],
  ], 'town A operator: clue A throughout (it stays in town A), never B');
  assert.deepEqual(seen('op-b'), [
    ['opened', B, ''],
    ['changed', B, 'dispatched'],
  ], 'town B operator: B only');
  assert.deepEqual(seen('officer-team-a'), [
    ['opened', A, ''],
    ['changed', A, 'dispatched'],
    ['closed', A, 'left-scope'],
  ], 'team A: A until it is transferred away, then nothing more about it');
  assert.deepEqual(seen('officer-team-b'), [
    ['opened', B, ''],
    ['opened', A, ''],
    ['changed', A, 'accepted'],
    ['changed', B, 'dispatched'],
  ], 'team B: B (co-notified), and A from its transfer on');

  const transferred = clients['officer-team-b']!.diffs().find((d) => d.type === 'opened' && d.code === A);
  assert.equal(transferred.fields.primaryUnitId, TEAM_B, 'an opened diff carries the whole clue');
  const update = clients['op-b']!.diffs()[1];
  assert.deepEqual(Object.keys(update.fields).sort(), ['status'], 'a changed diff carries only what changed');
  for (const c of Object.values(clients)) {
    const seqs = c.diffs().map((d) => d.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'sequence numbers rise');
    assert.equal(new Set(seqs).size, seqs.length);
    c.close();
  }
});

test('filters narrow the stream: status, kind and bbox', async () => {
  const byStatus = await LiveClient.open(app.url, tokens['op-district']!);
  await byStatus.subscribe({ status: ['feedback'] });
  const byBox = await LiveClient.open(app.url, tokens['op-district']!);
  await byBox.subscribe({ bbox: [121.53, 29.88, 121.56, 29.9] });
  const byKind = await LiveClient.open(app.url, tokens['op-district']!);
  await byKind.subscribe({ kind: ['gas-sensor'] });
    await bumpB();
  await act('officer-team-b', A, { type: 'feedback', note: '已处理 / done' });
  await settle();
  for (const c of [byStatus, byBox, byKind]) await c.flush();
  assert.deepEqual(byStatus.diffs().map((d) => [d.type, d.code]), [['opened', A]], 'A enters the status filter when it reaches feedback');
  assert.deepEqual(byBox.diffs().map((d) => [d.type, d.code]), [['changed', B]], 'only B lies in the box');
  assert.deepEqual(byKind.diffs(), [], 'no gas clue');
  for (const c of [byStatus, byBox, byKind]) c.close();
});

test('a client that reconnects with its last number gets what it missed, no gap and no duplicate; too far behind, reload', async () => {
  const steady = await LiveClient.open(app.url, tokens['op-district']!);
  await steady.subscribe();
  const dropping = await LiveClient.open(app.url, tokens['op-district']!);
  await dropping.subscribe();
  await bumpB();
  await settle();
  await dropping.flush();
  const before = dropping.diffs();
  const last = before.at(-1).seq;
  dropping.ws.terminate();
  await bumpB();
  await act('op-district', A, { type: 'return', reason: '照片不清 / unclear photo' });
  await bumpB();
  const again = await LiveClient.open(app.url, tokens['op-district']!, 'protocol');
  const answer = await again.subscribe({ since: last });
  await bumpB();
  await settle();
  await again.flush();
  await steady.flush();
  assert.equal(answer.type, 'subscribed');
  const joined = [...before, ...again.diffs()].map((d) => JSON.stringify(d));
  assert.deepEqual(joined, steady.diffs().map((d) => JSON.stringify(d)), 'before the drop + after it = the uninterrupted stream');
  assert.ok(again.diffs().length >= 4);

  const late = await LiveClient.open(app.url, tokens['op-district']!);
  const reload = await late.subscribe({ since: 0 });
  assert.equal(reload.type, 'reload', 'events before the ring are gone: reload');
  assert.equal(reload.seq, hub.seq);
  for (const c of [steady, again, late]) c.close();
});

test('logout, a disabled user and an expired token close the socket with 4401; no or a bad token is refused at the upgrade', async () => {
  const viaLogout = await LiveClient.open(app.url, tokens['op-a']!);
  assert.equal((await api(`${app.url}/api/v1/auth/logout`, { method: 'POST', token: tokens['op-a'] })).status, 204);
  assert.equal((await viaLogout.whenClosed()).code, 4401);

  const viaDisable = await LiveClient.open(app.url, tokens['op-b']!, 'protocol');
  await setUserDisabled(db.pool, 'op-b', true);
  assert.equal((await viaDisable.whenClosed()).code, 4401, 'the periodic re-check notices');

  const viaExpiry = await LiveClient.open(app.url, tokens['officer-team-a']!);
  await db.pool.query(`UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [users['officer-team-a']!.id]);
  assert.equal((await viaExpiry.whenClosed()).code, 4401);

  const refused = async (headers: Record<string, string>, protocols: string[] = ['gridwatch.live'], path = '/api/v1/live') =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${app.url.replace('http', 'ws')}${path}`, protocols, { headers });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.on('open', () => resolve(101));
    });
  assert.equal(await refused({}), 401);
  assert.equal(await refused({ authorization: 'Bearer not-a-token' }), 401);
  assert.equal(await refused({}, ['gridwatch.live', 'bearer.not-a-token']), 401);
  assert.equal(await refused({ authorization: `Bearer ${tokens['officer-team-a']}` }), 401, 'the expired token');
  assert.equal(await refused({}, ['gridwatch.live'], '/api/v1/elsewhere'), 404);
});

test('bad client messages answer an error and keep the connection', async () => {
  const c = await LiveClient.open(app.url, tokens['officer-team-b']!);
  const bad: unknown[] = [
    'not json',
    '{}',
    '[]',
    'null',
    { type: 'subscribe', bbox: [1, 2, 3] },
    { type: 'subscribe', bbox: [10, 10, 0, 0] },
    { type: 'subscribe', status: ['lost'] },
    { type: 'subscribe', kind: [] },
    { type: 'subscribe', since: -1 },
    { type: 'subscribe', since: 'x' },
    { type: 'subscribe', extra: 1 },
    { type: 'unsubscribe' },
    { type: 'subscribe', status: 'new' },
  ];
  // A little fuzz: random bytes and random JSON-ish strings.
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 40; i++) bad.push(Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => String.fromCharCode(32 + Math.floor(rnd() * 95))).join(''));
  for (const m of bad) {
    const from = c.messages.length;
    c.send(m);
    const answer = await c.next((x) => x.type === 'error' || x.type === 'subscribed', from);
    if (answer.type === 'subscribed') continue; // a random string that happens to be valid
    assert.equal(answer.code, 'GW_LIVE_MESSAGE_INVALID', `answer to ${JSON.stringify(m)}`);
    assert.ok(answer.problems.length > 0);
  }
  c.ws.send(Buffer.from([0, 1, 2]), { binary: true });
  await c.next((x) => x.type === 'error' && x.problems[0].includes('text'));
  const big = await LiveClient.open(app.url, tokens['officer-team-b']!);
  big.send('x'.repeat(10_000));
  assert.equal((await big.whenClosed()).code, 1009, 'an oversized message closes with 1009');
  await c.flush();
  assert.equal(c.closed, undefined);
  c.close();
});

test('a slow client is cut off with 4429 and asked to resync, without holding up the others; device positions follow scope', async () => {
  const slow = await LiveClient.open(app.url, tokens['op-district']!);
  await slow.subscribe();
  const fast = await LiveClient.open(app.url, tokens['op-district']!);
  await fast.subscribe();
  const other = await LiveClient.open(app.url, tokens['officer-team-b']!);
  await other.subscribe();
  (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const total = 40_000;
  for (let i = 0; i < total; i++) {
    hub.publishDevice({ type: 'device', id: `truck-${i}`, kind: 'waste-truck', lon: PLACES.dumpA.lon, lat: PLACES.dumpA.lat, at: new Date(T0).toISOString(), codes: ['330203', TOWN_A.code] });
    if (i % 500 === 0) await new Promise((r) => setImmediate(r));
  }
  await fast.flush();
  assert.equal(fast.messages.filter((m) => m.type === 'device').length, total, 'the fast client got every position');
  assert.equal(other.messages.filter((m) => m.type === 'device').length, 0, 'a unit-only officer does not see trucks in town A');
  (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  const closed = await slow.whenClosed();
  assert.equal(closed.code, 4429);
  assert.match(closed.reason, /resume/);
  assert.ok(slow.messages.filter((m) => m.type === 'device').length < total);
  fast.close();
  other.close();
});

test('truck positions (newest per truck, throttled) and device online/offline changes reach the users whose scope holds the place', async () => {
  await setUserDisabled(db.pool, 'op-b', false);
  const townA = await LiveClient.open(app.url, tokens['op-district']!);
  await townA.subscribe({ kind: ['waste-truck'] });
  const townB = await LiveClient.open(app.url, (await api(`${app.url}/api/v1/auth/login`, { body: { username: 'op-b', password: 'pw-op-b-secret' } })).body.token);
  await townB.subscribe();
  const gasOnly = await LiveClient.open(app.url, tokens['op-district']!);
  await gasOnly.subscribe({ kind: ['gas-sensor'] });
  hub.publishPositions([truck('truck-a', 500, PLACES.dumpA), truck('truck-a', 501, PLACES.site), truck('truck-b', 500, PLACES.dumpB)]);
  hub.publishPositions([truck('truck-a', 502, PLACES.dumpA)]);
  await townA.flush();
  await townB.flush();
  await gasOnly.flush();
  const positions = (c: LiveClient) => c.messages.filter((m) => m.type === 'device').map((m) => [m.id, m.lon, m.lat]);
  assert.deepEqual(positions(townA), [['truck-a', PLACES.site.lon, PLACES.site.lat], ['truck-b', PLACES.dumpB.lon, PLACES.dumpB.lat]], 'the newest fix per truck; the next within a second is dropped');
  assert.deepEqual(positions(townB), [['truck-b', PLACES.dumpB.lon, PLACES.dumpB.lat]], 'town B sees only the truck in town B');
  assert.deepEqual(positions(gasOnly), []);

  await db.pool.query(`UPDATE devices SET last_seen_at = now(), last_position = ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) WHERE id = 'truck-b'`, [PLACES.dumpB.lon, PLACES.dumpB.lat]);
  const online = await townB.next((m) => m.type === 'device-health');
  assert.deepEqual([online.id, online.online], ['truck-b', true]);
  await db.pool.query(`UPDATE devices SET last_seen_at = now() - interval '1 hour' WHERE id = 'truck-b'`);
  const offline = await townB.next((m) => m.type === 'device-health' && !m.online);
  assert.equal(offline.id, 'truck-b');
  await gasOnly.flush();
  assert.equal(gasOnly.messages.filter((m) => m.type === 'device-health').length, 0, 'the kind filter holds for health too');
  for (const c of [townA, townB, gasOnly]) c.close();
});

test('the header figures come every few seconds, within each user\'s scope', async () => {
  await db.pool.query(`UPDATE clues SET opened_at = now() WHERE code = $1`, [A]);
  const district = await LiveClient.open(app.url, tokens['op-district']!);
  const teamB = await LiveClient.open(app.url, tokens['officer-team-b']!);
  const figures = async (c: LiveClient) => {
    const m = await c.next((x) => x.type === 'figures');
    return { cluesToday: m.cluesToday, overdue: m.overdue, onTimeRate: m.onTimeRate, seq: m.seq };
  };
  const seq = hub.seq;
  assert.deepEqual(await figures(district), { cluesToday: 1, overdue: 2, onTimeRate: null, seq });
  const b = await figures(teamB);
  assert.equal(b.overdue, 2, 'team B: A (transferred to it) and B (co-notified)');
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM clues WHERE primary_unit_id = $1 OR $1 = ANY (co_notified)`, [TEAM_B]);
  assert.equal(rows[0]!.n, 2);
  district.close();
  teamB.close();
});

test('a hub started after a clue changed sends the same diffs as one that saw every change (before is the previous outbox event)', async () => {
  const late = new LiveHub({ pool: db.pool, log, pollMs: 50, figuresMs: 60_000 });
  await late.start();
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  late.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const lateUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const early = await LiveClient.open(app.url, tokens['op-district']!);
    const fresh = await LiveClient.open(lateUrl, tokens['op-district']!);
    await early.subscribe();
    await fresh.subscribe();
    // B changed before `late` started: its first diff there needs B's previous event from the outbox.
    await bumpB();
    await bumpB();
    const { rows } = await db.pool.query<{ id: string }>('SELECT max(id) AS id FROM clue_outbox');
    while (late.seq < Number(rows[0]!.id)) await late.catchUp();
    await settle();
    for (const c of [early, fresh]) await c.next((m) => m.seq === Number(rows[0]!.id));
    const diffs = early.diffs();
    assert.deepEqual(
      diffs.map((d) => d.type),
      ['changed', 'changed'],
      'two changes to B, as diffs against their previous events',
    );
    assert.deepEqual(fresh.diffs(), diffs, 'the late hub read the previous events from the outbox: the same diffs');
    early.close();
    fresh.close();
  } finally {
    await late.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
