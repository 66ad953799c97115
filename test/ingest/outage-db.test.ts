/**
 * Database outage in the middle of a stream: the sink talks to the database through a TCP
 * proxy that this test cuts (right after forwarding a COMMIT, so the reply is lost; right
 * before one, so the transaction rolls back) and restores; on real PostgreSQL the backend is
 * also killed with pg_terminate_backend. Every event must be stored exactly once and handed
 * downstream exactly once, with the pending window never exceeded. When the database stays
 * down, the sink refuses (so transports do not acknowledge) instead of buffering or dropping.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GwError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { BatchingIngestSink } from '../../ingest/ingest-sink.js';
import type { IngestOutcome, RawInput } from '../../ingest/transport.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { wireEvent } from './mqtt-kafka-support.js';
import { count } from './ingest-harness.js';
import { proxiedPool } from './db-proxy.js';

/** `n` gas events of device bp-gas from number `from` on, as Kafka would hand them over. */
const inputs = (from: number, n: number): RawInput[] =>
  Array.from({ length: n }, (_, i) => ({
    transport: 'kafka',
    payload: JSON.stringify(wireEvent('gas-sensor', 'bp-gas', from + i)),
    authenticatedDeviceId: 'bp-gas',
    receivedAt: Date.now(),
  }));

describe('ingest sink through a database outage', () => {
  let db: TestDb;
  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
  });
  after(async () => {
    await db.close();
  });

  it('stores all 5,000 events of a stream exactly once when the connection dies mid-batch and comes back', async () => {
    const { proxy, pool } = await proxiedPool(db.connectionString, 'gw-outage-test');

    const devices = new DeviceRegistry(pool);
    const DEVICES = 10;
    const PER_DEVICE = 500;
    for (let d = 0; d < DEVICES; d++) await devices.register({ id: `out-${d}`, kind: 'waste-truck' });

    const MAX_PENDING = 1000;
    const downstream = new Map<string, number>();
    let sawDown = false;
    let maxPending = 0;
    const outages: string[] = [];
    const restore = (what: string) => {
      outages.push(what);
      setTimeout(() => void proxy.listen(), 1000);
    };
    // Stored vs handed downstream at each cut: shows the lost-reply COMMIT really landed.
    const atCut: Promise<{ stored: number; downstream: number }>[] = [];
    proxy.onCut = () => {
      const handed = downstream.size;
      restore('cut');
      atCut.push(count(db.pool, `SELECT count(*)::int AS n FROM device_events WHERE device_id LIKE 'out-%'`).then((stored) => ({ stored, downstream: handed })));
    };

    const sink = new BatchingIngestSink(
      {
        pool,
        devices,
        dataDir: '/nonexistent', // no images in this stream
        log: createLogger('silent'),
        onAccepted: async (events) => {
          for (const e of events) downstream.set(e.eventId, (downstream.get(e.eventId) ?? 0) + 1);
          // Arm the outages as the stream progresses.
          if (downstream.size >= 1000 && outages.length === 0 && !proxy.cutAtCommit) proxy.cutAtCommit = 'after';
          if (downstream.size >= 2500 && outages.length === 1 && !proxy.cutAtCommit) proxy.cutAtCommit = 'before';
          if (downstream.size >= 4000 && outages.length === 2 && db.backend === 'postgres') {
            outages.push('pg_terminate_backend');
            await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gw-outage-test'`);
          }
        },
      },
      { maxBatch: 200, maxPending: MAX_PENDING, retryMaxMs: 100, admitTimeoutMs: 60_000, retryForMs: 60_000 },
    );
    const sampler = setInterval(() => {
      const h = sink.health();
      if (h.status === 'down') sawDown = true;
      maxPending = Math.max(maxPending, (h.detail as { pending: number }).pending);
    }, 10);

    // The stream: 200 messages of 25 events, up to 40 in flight, resent when refused (as MQTT would redeliver).
    const chunks: RawInput[][] = [];
    for (let i = 0; i < DEVICES * PER_DEVICE; i += 25) {
      chunks.push(
        Array.from({ length: 25 }, (_, j) => {
          const n = i + j;
          const id = `out-${n % DEVICES}`;
          return { transport: 'mqtt', payload: JSON.stringify(wireEvent('waste-truck', id, n)), authenticatedDeviceId: id, receivedAt: Date.now() };
        }),
      );
    }
    let refusedSubmissions = 0;
    const finalStatus = new Map<string, string>();
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        for (;;) {
          try {
            const outcomes = await sink.submit(chunk);
            for (const o of outcomes) if (o.status !== 'rejected') finalStatus.set(o.eventId, o.status);
            break;
          } catch {
            refusedSubmissions++;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    clearInterval(sampler);
    await sink.close();

    const expectedOutages = db.backend === 'postgres' ? ['cut', 'cut', 'pg_terminate_backend'] : ['cut', 'cut'];
    assert.deepEqual(outages, expectedOutages);
    const [afterCommit, beforeCommit] = await Promise.all(atCut);
    assert.ok(afterCommit!.stored > afterCommit!.downstream, `the first cut lost the reply of a COMMIT that landed (${JSON.stringify(afterCommit)})`);
    assert.equal(beforeCommit!.stored, beforeCommit!.downstream, 'the second cut rolled its batch back');
    assert.ok(sawDown, 'the sink reported storage down during the outage');
    assert.ok(maxPending <= MAX_PENDING, `pending stayed within the window (max ${maxPending})`);
    assert.equal(finalStatus.size, DEVICES * PER_DEVICE, 'every event was acknowledged');
    assert.equal(refusedSubmissions, 0, 'no submission had to be refused: the outage was shorter than the retry budget');
    assert.equal(await count(db.pool, `SELECT count(*)::int AS n FROM device_events WHERE device_id LIKE 'out-%'`), DEVICES * PER_DEVICE);
    assert.equal(await count(db.pool, `SELECT count(DISTINCT (device_id, event_id))::int AS n FROM device_events WHERE device_id LIKE 'out-%'`), DEVICES * PER_DEVICE);
    assert.equal(await count(db.pool, 'SELECT count(*)::int AS n FROM dead_letters'), 0);
    assert.equal(downstream.size, DEVICES * PER_DEVICE, 'every event went downstream');
    assert.ok([...downstream.values()].every((n) => n === 1), 'and exactly once, even when a COMMIT reply was lost');
    await pool.end();
    await proxy.close();
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
