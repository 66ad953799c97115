/**
 * Back-pressure when the database stays down: the sink never buffers beyond its window, never
 * drops, and refuses (so transports do not acknowledge) once its retry and admit budgets run out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GwError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { BatchingIngestSink } from '../../ingest/ingest-sink.js';
import type { IngestOutcome, RawInput } from '../../ingest/transport.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { proxiedPool } from './db-proxy.js';
import { count } from './ingest-harness.js';
import { wireEvent } from './mqtt-kafka-support.js';

const inputs = (from: number, n: number): RawInput[] =>
  Array.from({ length: n }, (_, i) => ({
    transport: 'kafka',
    payload: JSON.stringify(wireEvent('gas-sensor', 'bp-gas', from + i)),
    authenticatedDeviceId: 'bp-gas',
    receivedAt: Date.now(),
  }));

describe('ingest sink back-pressure with the database down', () => {
  let db: TestDb;
  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
  });
  after(async () => {
    await db.close();
  });

  it('waits, then refuses with GW_INGEST_UNAVAILABLE without storing or buffering, and takes the same input once the database is back', async () => {
    const { proxy, pool } = await proxiedPool(db.connectionString, 'gw-backpressure-test');
    const devices = new DeviceRegistry(pool);
    await devices.register({ id: 'bp-gas', kind: 'gas-sensor' });
    const sink = new BatchingIngestSink(
      { pool, devices, dataDir: '/nonexistent', log: createLogger('silent') },
      { maxBatch: 50, maxPending: 100, retryForMs: 800, retryMaxMs: 100, admitTimeoutMs: 400 },
    );
    proxy.cut();

    // 100 fill the window and are retried until the budget runs out; 50 more wait for room.
    const first = sink.submit(inputs(0, 100));
    const waiting = sink.submit(inputs(100, 50));
    const settled = await Promise.allSettled([first, waiting]);
    for (const s of settled) {
      assert.equal(s.status, 'rejected');
      assert.ok(s.status === 'rejected' && s.reason instanceof GwError && s.reason.code === 'GW_INGEST_UNAVAILABLE', String((s as PromiseRejectedResult).reason));
    }
    assert.match((settled[1] as PromiseRejectedResult).reason.message, /no room within 400 ms \(100 inputs pending; storage failing: /);
    const health = sink.health();
    assert.equal(health.status, 'down');
    assert.match(String((health.detail as { lastError: string }).lastError), /ECONNREFUSED|terminated|connect/);
    assert.equal((health.detail as { pending: number }).pending, 0, 'refused input is not kept in memory');

    // The transport redelivers the same 150 once the database is back: each stored exactly once.
    await proxy.listen();
    const again: IngestOutcome[] = await sink.submit(inputs(0, 150));
    assert.ok(again.every((o) => o.status === 'accepted'), JSON.stringify(again.find((o) => o.status !== 'accepted')));
    assert.equal(sink.health().status, 'ok');
    assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM device_events WHERE device_id = 'bp-gas'`), 150);
    await sink.close();
    await pool.end();
    await proxy.close();
  });
});
