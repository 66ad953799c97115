/**
 * The clue pipeline's work list (pipeline_pending, migration 115) as the batch insert keeps it:
 * a stored event gets exactly one entry; a batch stored again after its COMMIT reply was lost
 * (same batch id: its rows are "touched", not inserted) adds none, also once the pipeline has
 * taken them; a real duplicate (another batch) is not stored and adds none.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { loadSql } from '../../db/sql.js';
import { storeBatch, type ReceivedEvent } from '../../ingest/event-store.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { gas } from '../pipeline/helpers/events.js';

const claim = loadSql(new URL('../../server/pipeline/sql/claim-events.sql', import.meta.url));
let db: TestDb;

before(async () => {
  db = await getTestDb();
});
after(async () => {
  await db.close();
});
beforeEach(async () => {
  await resetDb(db.pool);
});

const pending = async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pipeline_pending')).rows[0]!.n;
const batch = (): ReceivedEvent[] => [1, 2, 3].map((s) => ({ event: gas(s, 3), transport: 'http' as const }));

test('a stored event gets one work-list entry; storing its batch again after a lost COMMIT reply adds none', async () => {
  const id = crypto.randomUUID();
  const events = batch();
  assert.equal((await storeBatch(db.pool, id, events, [])).size, 3);
  assert.equal(await pending(), 3);
  // The retry of the same batch: reported stored again (its own rows), no second entry.
  assert.equal((await storeBatch(db.pool, id, events, [])).size, 3);
  assert.equal(await pending(), 3);
  // The pipeline takes them; a late retry of the batch must not put them back on the list.
  const taken = await db.pool.query(claim, [events.map((e) => e.event.deviceId), events.map((e) => e.event.eventId)]);
  assert.equal(taken.rowCount, 3);
  assert.equal(await pending(), 0);
  assert.equal((await storeBatch(db.pool, id, events, [])).size, 3);
  assert.equal(await pending(), 0, 'a processed event is not put on the work list again');
});

test('a real duplicate (another batch) is not stored and adds no work-list entry', async () => {
  const events = batch();
  await storeBatch(db.pool, crypto.randomUUID(), events, []);
  assert.equal((await storeBatch(db.pool, crypto.randomUUID(), events, [])).size, 0);
  assert.equal(await pending(), 3);
});
