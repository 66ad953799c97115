import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/logger.js';
import { createUser, type Role } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { efficiencyRoutes } from '../../server/lifecycle/efficiency.routes.js';
import { api, startTestApp } from '../helpers/app.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { miniCatalogue } from '../pipeline/helpers/mini-city.js';
import { EXPECTED, PERIOD, T1, T2, U1, U3, loadEfficiencyFixture } from './efficiency-fixture.js';

let db: TestDb;
let app: Awaited<ReturnType<typeof startTestApp>>;
const tokens: Record<string, string> = {};

async function user(username: string, role: Role, scopes: string[], unitId: string | null = null): Promise<void> {
  const password = `pw-${username}-secret`;
  await createUser(db.pool, { username, password, displayName: username, role, scopes, unitId });
  tokens[username] = (await api(`${app.url}/api/v1/auth/login`, { body: { username, password } })).body.token;
}
const get = (who: string | null, query: string) => api(`${app.url}/api/v1/efficiency?${query}`, who ? { token: tokens[who] } : {});
const period = `from=${PERIOD.from}&to=${PERIOD.to}`;

/** Rates and medians compared to 1e-9 (they are divisions), counts exactly. */
function assertFigures(actual: Record<string, unknown>[], expected: Record<string, unknown>[]): void {
  assert.deepEqual(
    actual.map((r) => r.key),
    expected.map((r) => r.key),
  );
  for (const [i, want] of expected.entries())
    for (const [k, v] of Object.entries(want)) {
      const got = actual[i]![k];
      if (typeof v === 'number' && !Number.isInteger(v)) assert.ok(typeof got === 'number' && Math.abs(got - v) < 1e-9, `${String(want.key)} ${k}: ${String(got)}, expected ${v}`);
      else assert.equal(got, v, `${String(want.key)} ${k}`);
    }
}

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  // The units the users belong to.
  await new CatalogueStore(db.pool, createLogger('silent')).importData(miniCatalogue(), 'json', 'test');
  await loadEfficiencyFixture(db.pool);
  app = await startTestApp(db.pool, { routes: efficiencyRoutes(db.pool) });
  await user('planner', 'planner', []);
  await user('admin', 'admin', []);
  await user('op-t1', 'operator', [T1]);
  await user('planner-t2', 'planner', [T2]);
  await user('op-elsewhere', 'operator', ['330212']);
  await user('worker', 'worker', [T1], U1);
  await user('officer', 'officer', [], U3);
});
after(async () => {
  await app?.close();
  await db.close();
});

test('per town and per unit, the figures match the hand-computed fixture', async () => {
  const town = await get('planner', `by=town&${period}`);
  assert.equal(town.status, 200);
  assert.equal(town.body.from, PERIOD.from);
  assertFigures(town.body.rows, EXPECTED.town);
  const unit = await get('admin', `by=unit&${period}`);
  assertFigures(unit.body.rows, EXPECTED.unit);
});

test('the period decides which clues count', async () => {
  // The first hour holds c01 and c02 only (opened at 00:00 and 00:30).
  const r = await get('planner', `by=town&from=${PERIOD.from}&to=2025-06-01T01:00:00Z`);
  assert.deepEqual(r.body.rows.map((x: { key: string; clues: number }) => [x.key, x.clues]), [[T1, 2]]);
  // c19 opened the hour before the period.
  const before = await get('planner', `by=town&from=2025-05-31T00:00:00Z&to=${PERIOD.from}`);
  assert.deepEqual(before.body.rows.map((x: { key: string; clues: number; closedOnTime: number }) => [x.key, x.clues, x.closedOnTime]), [[T2, 1, 1]]);
  const none = await get('planner', 'by=town');
  assert.deepEqual(none.body.rows, [], 'the default period (the last 30 days) holds none of the 2025 clues');
});

test('within scope: a town operator sees their town, per town and per unit', async () => {
  const town = await get('op-t1', `by=town&${period}`);
  assertFigures(town.body.rows, [EXPECTED.town[0]!]);
  const unit = await get('op-t1', `by=unit&${period}`);
  // In T1, U3 holds c09 only: accepted at 60 (on time), escalated, so no close is judged.
  assert.deepEqual(
    unit.body.rows.map((r: { key: string; clues: number; acceptedOnTime: number; closeJudged: number; closeOnTimeRate: null }) => [r.key, r.clues, r.acceptedOnTime, r.closeJudged, r.closeOnTimeRate]),
    [
      [U3, 1, 1, 0, null],
      [U1, 8, 5, 8, 0.375],
    ],
  );
  assertFigures(unit.body.rows.slice(1), [EXPECTED.unit[1]!]);
  assertFigures((await get('planner-t2', `by=town&${period}`)).body.rows, [EXPECTED.town[1]!]);
  assert.deepEqual((await get('op-elsewhere', `by=town&${period}`)).body.rows, []);
});

test('refusals: roles, login, bad and unknown parameters', async () => {
  assert.equal((await get(null, `by=town&${period}`)).status, 401);
  for (const who of ['worker', 'officer']) {
    const r = await get(who, `by=town&${period}`);
    assert.equal(r.status, 403, who);
    assert.equal(r.body.error.code, 'GW_FORBIDDEN');
  }
  for (const q of ['', 'by=district', `by=town&from=${PERIOD.to}&to=${PERIOD.from}`, 'by=town&from=yesterday']) {
    const r = await get('planner', q);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.error.code, 'GW_VALIDATION');
  }
  const unknown = await get('planner', 'by=town&town=330203001');
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error.details.problems[0], /^town: unknown parameter/);
});
