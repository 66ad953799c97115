/**
 * Fault: the wall clock jumps forward across a deadline, then back before it, then forward again
 * (an NTP step, a VM resumed from a snapshot). The scheduler reads only its injected clock, so
 * the jumps are real to it. It must neither skip a step (a jump forward over several steps takes
 * each of them, in order) nor repeat one (a jump back and forward again takes nothing twice), and
 * every step has exactly one timeline row and one outbox event. Runs on both backends.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { chineseDaysSeed, seedCalendar } from '../../server/lifecycle/calendar-store.js';
import { DeadlineScheduler } from '../../server/lifecycle/deadline-scheduler.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { DEVICES, PLACES, miniCatalogue, miniLocator } from '../pipeline/helpers/mini-city.js';
import { T0, stored, truck } from '../pipeline/helpers/events.js';

const log = createLogger('silent');
const MIN = 60_000;
const OPENED = T0 + 60_000;
let db: TestDb;
let store: CatalogueStore;
/** The wall clock as the scheduler sees it; the test makes it jump. */
let clock = 0;

const scheduler = () => new DeadlineScheduler({ pool: db.pool, catalogue: () => store.current(), log, now: () => clock });

/** Deadline steps per clue code (`deadline.kind[.level]`), from the outbox and from the timeline. */
async function steps(pool: pg.Pool): Promise<{ outbox: Record<string, string[]>; timeline: Record<string, string[]> }> {
  const outbox: Record<string, string[]> = {};
  const { rows } = await pool.query<{ clue_code: string; payload: { step: { kind: string; deadline: string; level?: string } } }>(
    "SELECT clue_code, payload FROM clue_outbox WHERE change = 'deadline' ORDER BY id",
  );
  for (const r of rows) (outbox[r.clue_code] ??= []).push([r.payload.step.deadline, r.payload.step.kind, r.payload.step.level].filter(Boolean).join('.'));
  const timeline: Record<string, string[]> = {};
  const tl = await pool.query<{ code: string; action: string }>(
    "SELECT c.code, t.action FROM clue_timeline t JOIN clues c ON c.id = t.clue_id WHERE t.action LIKE 'deadline.%' ORDER BY t.id",
  );
  for (const r of tl.rows) (timeline[r.code] ??= []).push(r.action);
  return { outbox, timeline };
}

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  await seedCalendar(db.pool, chineseDaysSeed());
  store = new CatalogueStore(db.pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(db.pool).importDevices(DEVICES);
  const pipeline = new CluePipeline({ pool: db.pool, locator: miniLocator(), catalogue: store, log, now: () => OPENED });
  await pipeline.handle(await stored(db.pool, [truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
});
after(async () => {
  await db.close();
});

test('the clock jumps forward, back and forward again across deadlines: every step once, in order, none repeated', async () => {
  const { rows } = await db.pool.query<{ code: string }>('SELECT code FROM clues');
  assert.equal(rows.length, 1, 'one clue (urgent item: accept in 30 min, close in 120 min), never accepted');
  const code = rows[0]!.code;

  clock = OPENED + 1000;
  assert.equal((await scheduler().runOnce()).planned, 1, 'planned on the first run');

  // Forward over the accept warning (24 min) and the accept deadline (30 min) at once.
  clock = OPENED + 31 * MIN;
  const forward = await scheduler().runOnce();
  const afterForward = (await steps(db.pool)).outbox[code] ?? [];
  assert.deepEqual(afterForward.slice(0, 2), ['accept.warning', 'accept.overdue'], 'a jump over two steps takes both, in order');
  assert.equal(forward.clueSteps, afterForward.length);

  // Back to before the warning: nothing is due again, nothing is undone or repeated.
  clock = OPENED + 5 * MIN;
  assert.equal((await scheduler().runOnce()).clueSteps, 0, 'a jump back takes no step');
  const { rows: back } = await db.pool.query('SELECT deadline_done FROM clues WHERE code = $1', [code]);
  assert.ok(back[0].deadline_done.length >= 2, 'the steps done stay done after the jump back');

  // Forward to the same moment again: the steps already taken are not taken twice.
  clock = OPENED + 31 * MIN;
  assert.equal((await scheduler().runOnce()).clueSteps, 0, 'back at the same time: nothing repeated');

  // Far forward, past the close deadline, then back and forward once more.
  clock = OPENED + 200 * MIN;
  await scheduler().runOnce();
  clock = OPENED + 2 * MIN;
  assert.equal((await scheduler().runOnce()).clueSteps, 0);
  clock = OPENED + 200 * MIN;
  assert.equal((await scheduler().runOnce()).clueSteps, 0);

  const { outbox, timeline } = await steps(db.pool);
  const taken = outbox[code]!;
  assert.deepEqual(taken, ['accept.warning', 'accept.overdue', 'accept.escalated.district', 'accept.escalated.city', 'close.warning', 'close.overdue'], 'every step, once, in order');
  assert.equal(new Set(taken).size, taken.length, 'no step repeated');
  assert.deepEqual(
    timeline[code],
    taken.map((s) => `deadline.${s.split('.')[1]}`),
    'one timeline row per step: no timeline event lost or doubled',
  );
});
