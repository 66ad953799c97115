import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import type { User } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { applyClueAction } from '../../server/clues/clue-actions.js';
import { chineseDaysSeed, seedCalendar } from '../../server/lifecycle/calendar-store.js';
import { deadlineComponent, DeadlineScheduler, type DeadlineSchedulerOptions } from '../../server/lifecycle/deadline-scheduler.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { DEVICES, PLACES, miniCatalogue, miniLocator, miniRouting } from '../pipeline/helpers/mini-city.js';
import { T0, stored, truck } from '../pipeline/helpers/events.js';

const log = createLogger('silent');
const MIN = 60_000;
let db: TestDb;
let store: CatalogueStore;
/** The injected clock every scheduler here reads. */
let clock = 0;
/** The clue opened in town A (team A, accepted early) and in town B (never accepted). */
let A: string;
let B: string;
const OPENED = T0 + 60_000;

const options = (pool: pg.Pool, over: Partial<DeadlineSchedulerOptions> = {}): DeadlineSchedulerOptions => ({
  pool,
  catalogue: () => store.current(),
  log,
  now: () => clock,
  ...over,
});
const person = (username: string, role: User['role'], scopes: string[], unitId: string | null): User => ({ id: 0, username, displayName: username, role, scopes, unitId });

/** Deadline events per clue code, as `deadline.kind[.level]` keys, in outbox order. */
async function deadlineEvents(pool: pg.Pool): Promise<Map<string, string[]>> {
  const { rows } = await pool.query<{ clue_code: string; payload: { step: { kind: string; deadline: string; level?: string } } }>(
    "SELECT clue_code, payload FROM clue_outbox WHERE change = 'deadline' ORDER BY id",
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.clue_code, [...(out.get(r.clue_code) ?? []), [r.payload.step.deadline, r.payload.step.kind, r.payload.step.level].filter(Boolean).join('.')]);
  return out;
}

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  await seedCalendar(db.pool, chineseDaysSeed());
  store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  const pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => OPENED });
  await pipeline.handle(await stored(db.pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
  const { rows } = await db.pool.query<{ code: string }>('SELECT code FROM clues ORDER BY town_code');
  [A, B] = rows.map((r) => r.code) as [string, string];
});
after(async () => {
  await db.close();
});

test('a new clue gets its two deadlines from its item (住建-渣土-01: urgent, 120 min) on the first run', async () => {
  clock = OPENED + 1000;
  const run = await new DeadlineScheduler(options(db.pool)).runOnce();
  assert.deepEqual(run, { planned: 2, clueSteps: 0, instructionSteps: 0 });
  const { rows } = await db.pool.query('SELECT accept_due_at, close_due_at, deadline_at, escalation_level, next_deadline_at FROM clues WHERE code = $1', [B]);
  assert.equal(rows[0].accept_due_at.getTime(), OPENED + 30 * MIN);
  assert.equal(rows[0].close_due_at.getTime(), OPENED + 120 * MIN);
  assert.equal(rows[0].deadline_at.getTime(), OPENED + 120 * MIN, 'deadline_at follows the close deadline');
  assert.equal(rows[0].next_deadline_at.getTime(), OPENED + 24 * MIN, 'next look: the accept warning at 80 %');
  assert.deepEqual(await deadlineEvents(db.pool), new Map(), 'planning is no step: no deadline event yet');
  assert.deepEqual((await new DeadlineScheduler(options(db.pool)).runOnce()).planned, 0, 'planned once');
});

test('warning at 80 %: only the clue not yet accepted; the accepted one has met its accept deadline', async () => {
  clock = OPENED + 10 * MIN;
  await applyClueAction(db.pool, miniRouting(store)(), person('op', 'operator', ['330203'], null), A, { type: 'dispatch' }, null, clock);
  await applyClueAction(db.pool, miniRouting(store)(), person('worker-a', 'worker', [], 'team-330203001'), A, { type: 'accept' }, null, clock);
  clock = OPENED + 25 * MIN;
  const run = await new DeadlineScheduler(options(db.pool)).runOnce();
  assert.equal(run.clueSteps, 1);
  assert.deepEqual(Object.fromEntries(await deadlineEvents(db.pool)), { [B]: ['accept.warning'] });
  const { rows } = await db.pool.query("SELECT payload FROM clue_outbox WHERE change = 'deadline'");
  const payload = rows[0].payload;
  assert.equal(payload.clue.code, B);
  assert.equal(payload.clue.acceptDueAt, new Date(OPENED + 30 * MIN).toISOString());
  assert.equal(payload.clue.acceptOverdue, false);
  assert.deepEqual(payload.step, { kind: 'warning', deadline: 'accept', dueAt: new Date(OPENED + 30 * MIN).toISOString() });
  assert.equal(payload.timeline.actor, 'system');
  assert.equal(payload.timeline.action, 'deadline.warning');
});

test('stopped across overdue and escalation, a new scheduler catches up at start: each step once, in order', async () => {
  // The component runs at start and then every hour: the timer never fires within this test.
  const first = deadlineComponent(() => options(db.pool), 3_600_000);
  await first.start();
  await first.stop!();
  clock = OPENED + 100 * MIN;
  const second = deadlineComponent(() => options(db.pool), 3_600_000);
  await second.start();
  await second.stop!();
  await new DeadlineScheduler(options(db.pool)).runOnce(); // and again: nothing more
  const events = Object.fromEntries(await deadlineEvents(db.pool));
  assert.deepEqual(events[B], ['accept.warning', 'accept.overdue', 'accept.escalated.district', 'accept.escalated.city', 'close.warning']);
  assert.deepEqual(events[A], ['close.warning']);
  const { rows } = await db.pool.query('SELECT primary_unit_id, board_unit_ids, escalation_level, deadline_done FROM clues WHERE code = $1', [B]);
  assert.equal(rows[0].escalation_level, 'city');
  assert.equal(rows[0].primary_unit_id, 'dept-330203-construction', 'escalation does not reassign the clue');
  assert.ok(rows[0].board_unit_ids.includes('coord-330203') && rows[0].board_unit_ids.includes('coord-city'), 'the district and city command centres now watch it');
  const timeline = await db.pool.query(
    "SELECT t.action, t.actor FROM clue_timeline t JOIN clues c ON c.id = t.clue_id WHERE c.code = $1 AND t.action LIKE 'deadline.%' ORDER BY t.id",
    [B],
  );
  assert.deepEqual(timeline.rows.map((r) => r.action), ['deadline.warning', 'deadline.overdue', 'deadline.escalated', 'deadline.escalated', 'deadline.warning']);
  assert.ok(timeline.rows.every((r) => r.actor === 'system'));
  const outbox = await db.pool.query("SELECT unit_ids FROM clue_outbox WHERE change = 'deadline' AND clue_code = $1 ORDER BY id DESC LIMIT 1", [B]);
  assert.ok(outbox.rows[0].unit_ids.includes('coord-city'), 'the city command centre is told');
});

test('a clue escalated to a case (立案) takes no more steps; the other goes overdue', async () => {
  clock = OPENED + 110 * MIN;
  await applyClueAction(db.pool, miniRouting(store)(), person('op', 'operator', ['330203'], null), A, { type: 'escalate', reason: '立案查处', procedure: 'normal' }, null, clock);
  clock = OPENED + 200 * MIN;
  await new DeadlineScheduler(options(db.pool)).runOnce();
  const events = Object.fromEntries(await deadlineEvents(db.pool));
  assert.deepEqual(events[A], ['close.warning']);
  assert.deepEqual(events[B]!.slice(-1), ['close.overdue']);
  const { rows } = await db.pool.query('SELECT code, next_deadline_at FROM clues ORDER BY town_code');
  assert.deepEqual(rows.map((r) => r.next_deadline_at), [null, null], 'nothing left to do for either');
});

test('two schedulers on one database race: every step appears exactly once', async (t) => {
  if (db.backend !== 'postgres') return t.skip('the embedded database serves every connection from one session; run with DATABASE_URL');
  // Forty copies of clue B as it opened (no deadlines planned yet), each with its own code.
  const { rows: cols } = await db.pool.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_name = 'clues' AND column_name NOT IN ('id', 'code', 'group_key', 'accept_due_at', 'close_due_at', 'deadline_plan', 'deadline_done', 'escalation_level', 'next_deadline_at', 'board_unit_ids') ORDER BY ordinal_position",
  );
  const list = cols.map((c) => c.column_name).join(', ');
  await db.pool.query(
    `INSERT INTO clues (code, group_key, board_unit_ids, ${list}) SELECT code || '-' || g, group_key || '-' || g, '{}', ${list} FROM clues, generate_series(1, 40) AS g WHERE code = $1`,
    [B],
  );
  const pools = [0, 1].map(() => new pg.Pool({ connectionString: db.connectionString, max: 3 }));
  try {
    clock = OPENED + 100 * MIN;
    const schedulers = pools.flatMap((pool) => [new DeadlineScheduler(options(pool, { batchSize: 3 })), new DeadlineScheduler(options(pool, { batchSize: 3 }))]);
    const runs = await Promise.all(schedulers.map((s) => s.runOnce()));
    assert.equal(runs.reduce((n, r) => n + r.planned, 0), 40, 'each copy planned once');
    assert.equal(runs.reduce((n, r) => n + r.clueSteps, 0), 40 * 5, 'five steps each, taken once between them');
    const events = await deadlineEvents(db.pool);
    const copies = [...events].filter(([code]) => code.startsWith(`${B}-`));
    assert.equal(copies.length, 40);
    for (const [code, steps] of copies) assert.deepEqual(steps, ['accept.warning', 'accept.overdue', 'accept.escalated.district', 'accept.escalated.city', 'close.warning'], code);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM clue_timeline t JOIN clues c ON c.id = t.clue_id WHERE c.code LIKE $1 AND t.action LIKE 'deadline.%'", [`${B}-%`]);
    assert.equal(rows[0].n, 40 * 5, 'one timeline row per step');
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
});
