/**
 * Writers racing on one clue's record: pipeline batches joining alerts, people's actions (which
 * lock the clue first) and writers that append without locking it first (as deadline steps and
 * evidence do), over a pool of several connections. Every append must chain from the row
 * before it: seq 1..n with no gap or repeat, and verify says intact.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createLogger } from '../../core/logger.js';
import { withTransaction } from '../../db/transaction.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { createUser } from '../../server/auth/users.js';
import { CatalogueStore } from '../../server/catalogue/catalogue-store.js';
import { applyClueAction } from '../../server/clues/clue-actions.js';
import { verifyClueRecord } from '../../server/clues/clue-record.js';
import { recordChanges } from '../../server/clues/stored-clue.js';
import { CluePipeline } from '../../server/pipeline/clue-pipeline.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { DEVICES, PLACES, miniCatalogue, miniLocator, miniRouting } from '../pipeline/helpers/mini-city.js';
import { T0, gas, stored, truck } from '../pipeline/helpers/events.js';

const log = createLogger('silent');
let db: TestDb;
/**
 * Several connections, so the writers really overlap on real PostgreSQL (the embedded server
 * of `npm test` takes 4 connections, one of them the suite's, and runs one transaction at a time).
 */
let pool: pg.Pool;

before(async () => {
  db = await getTestDb();
  await resetDb(db.pool);
  pool = new pg.Pool({ connectionString: db.connectionString, max: db.backend === 'postgres' ? 8 : 3 });
});
after(async () => {
  await pool?.end();
  await db.close();
});

const noEvidence = () => Promise.resolve({ ok: true as const });

test('concurrent pipeline batches, actions and unlocked appends keep one valid chain per clue', async () => {
  const store = new CatalogueStore(pool, log);
  await store.importData(miniCatalogue(), 'json', 'test');
  await new DeviceRegistry(pool).importDevices(DEVICES);
  const pipeline = new CluePipeline({ pool, locator: miniLocator(), catalogue: store, log, now: () => T0 + 3_600_000 });
  await pipeline.handle(await stored(pool, [truck('truck-a', 0, PLACES.dumpA), truck('truck-a', 25, PLACES.dumpA), truck('truck-b', 0, PLACES.dumpB), truck('truck-b', 25, PLACES.dumpB)]));
  await pipeline.handle(await stored(pool, [gas(0, 2), gas(30, 12)]));
  const clues = (await pool.query<{ id: string; code: string }>('SELECT id, code FROM clues ORDER BY id')).rows.map((r) => ({ id: Number(r.id), code: r.code }));
  assert.equal(clues.length, 3, 'two dumping clues and a gas leak');
  const [a, b, leak] = clues as [{ id: number; code: string }, { id: number; code: string }, { id: number; code: string }];
  const op = await createUser(pool, { username: 'op', password: 'pw-op-secret-1', displayName: 'op', role: 'operator', scopes: ['330203'], unitId: null });
  const before = Number((await pool.query('SELECT count(*) AS n FROM clue_timeline')).rows[0].n);

  // Each batch is a new gas episode (the reading falls back, then rises to the high alarm): an
  // alert joining the open gas clue. Batches that run after a later one find their readings
  // stale and raise nothing, so how many join varies; at least the first does.
  const batches = Array.from({ length: 6 }, async (_, i) => {
    const t = 100 + i * 100;
    await pipeline.handle(await stored(pool, [gas(t, 0), gas(t + 30, 30)]));
  });
  // Appends to every clue in one transaction without locking them first, in two orders.
  const unlocked = Array.from({ length: 24 }, (_, i) =>
    withTransaction(pool, (c) => {
      const pair = i % 2 ? [a, b, leak] : [leak, b, a];
      return recordChanges(
        c,
        pair.map((x) => ({ clue_id: x.id, at: Date.now(), actor: 'deadline', action: 'deadline.warned', from_status: null, to_status: null, source: null, detail: { step: i } })),
        [],
      );
    }),
  );
  const units = miniRouting(store)();
  const actions = [
    applyClueAction(pool, units, op, a.code, { type: 'dispatch' }, '127.0.0.1'),
    applyClueAction(pool, units, op, b.code, { type: 'dispatch' }, '127.0.0.1'),
    applyClueAction(pool, units, op, a.code, { type: 'escalate', reason: '立案', procedure: 'normal' }, '127.0.0.1'),
    applyClueAction(pool, units, op, b.code, { type: 'escalate', reason: '立案', procedure: 'normal' }, '127.0.0.1'),
    applyClueAction(pool, units, op, leak.code, { type: 'dispatch' }, '127.0.0.1'),
  ];
  const settled = await Promise.allSettled([...batches, ...unlocked, ...actions]);
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  // An action may find the clue already escalated (GW_CLUE_STATE): that is the lifecycle, not the record.
  for (const f of failed) assert.equal((f.reason as { code?: string }).code, 'GW_CLUE_STATE', String(f.reason));

  const after = Number((await pool.query('SELECT count(*) AS n FROM clue_timeline')).rows[0].n);
  assert.ok(after - before >= 72 + 2, `the unlocked appends and at least one action per clue were written (${after - before} rows)`);
  const alerts = Number((await pool.query("SELECT count(*) AS n FROM clue_timeline WHERE action = 'alert'")).rows[0].n);
  assert.ok(alerts > 0, 'the pipeline joined alerts to the clues while the others wrote');
  for (const clue of clues) {
    const { rows } = await pool.query<{ seq: number }>('SELECT seq FROM clue_timeline WHERE clue_id = $1 ORDER BY seq', [clue.id]);
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: rows.length }, (_, i) => i + 1), `${clue.code}: seq 1..n without gap or repeat`);
    const verdict = await verifyClueRecord(pool, clue, noEvidence);
    assert.equal(verdict.intact, true, `${clue.code}: ${JSON.stringify(verdict.problems)}`);
    assert.equal(verdict.rows, rows.length);
  }
});
