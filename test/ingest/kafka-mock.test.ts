/**
 * The Kafka transport against librdkafka's mock cluster (the real Kafka protocol, in-process),
 * fed by node-rdkafka and by Debian's kcat, with the real registry and batching sink over the
 * test database. The cluster is owned by the test (a producer with test.mock.num.brokers), so
 * it outlives the consumers the test starts and stops, like an external cluster would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Kafka from 'node-rdkafka';
import { pino } from 'pino';
import { createLogger } from '../../core/logger.js';
import { registry } from '../../core/metrics.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { BatchingIngestSink } from '../../ingest/ingest-sink.js';
import type { IngestOutcome, IngestSink, RawInput } from '../../ingest/transport.js';
import { KAFKA_DLQ_TOPIC, KAFKA_TOPIC, KafkaTransport } from '../../ingest/transports/kafka.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { mockCluster, requireBinary, run, waitFor, wireEvent } from './mqtt-kafka-support.js';

const KCAT = requireBinary('/usr/bin/kcat', 'kcat');
const log = createLogger('silent');

/** Produces (key, value) pairs with node-rdkafka and waits until all are delivered. */
async function produce(producer: Kafka.Producer, messages: [string | null, string][]): Promise<void> {
  let pending = messages.length;
  const done = new Promise<void>((resolve, reject) => {
    const onReport = (err: Kafka.LibrdKafkaError | null) => {
      if (err) reject(err);
      if (--pending === 0) {
        producer.off('delivery-report', onReport);
        resolve();
      }
    };
    producer.on('delivery-report', onReport);
  });
  for (const [key, value] of messages) producer.produce(KAFKA_TOPIC, null, Buffer.from(value), key);
  await done;
}

/** Records every outcome the real sink returns, so the test can tell accepted from duplicate. */
class WatchingSink implements IngestSink {
  readonly outcomes: IngestOutcome[] = [];
  constructor(private readonly inner: IngestSink) {}
  async submit(inputs: RawInput[]): Promise<IngestOutcome[]> {
    const out = await this.inner.submit(inputs);
    this.outcomes.push(...out);
    return out;
  }
}

/** Stores through the real sink, then never answers: the consumer dies holding a stored, uncommitted batch. */
class StoreThenHangSink implements IngestSink {
  readonly stored: IngestOutcome[] = [];
  constructor(private readonly inner: IngestSink) {}
  async submit(inputs: RawInput[]): Promise<IngestOutcome[]> {
    this.stored.push(...(await this.inner.submit(inputs)));
    return new Promise(() => undefined);
  }
}

describe('Kafka transport on the librdkafka mock cluster', () => {
  let db: TestDb;
  let sink: BatchingIngestSink;
  let cluster: { producer: Kafka.Producer; bootstrap: string };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-kafka-'));
  const running: KafkaTransport[] = [];

  const start = async (s: IngestSink, drainTimeoutMs = 10_000) => {
    // The mock cluster hands a departed consumer's partitions on only when its session expires.
    const t = new KafkaTransport({ brokers: cluster.bootstrap, log, drainTimeoutMs, sessionTimeoutMs: 3000 });
    await t.start(s);
    running.push(t);
    return t;
  };
  const stopAll = async () => {
    for (const t of running.splice(0)) await t.stop();
  };
  const count = async (sql: string, params: unknown[] = []) => (await db.pool.query<{ n: number }>(sql, params)).rows[0]!.n;
  const event = (deviceId: string, n: number) => JSON.stringify(wireEvent(deviceId.includes('truck') ? 'waste-truck' : 'gas-sensor', deviceId, n));

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    const devices = new DeviceRegistry(db.pool);
    await devices.register({ id: 'k-gas-1', kind: 'gas-sensor' });
    await devices.register({ id: 'k-truck-2', kind: 'waste-truck' });
    sink = new BatchingIngestSink({ pool: db.pool, devices, dataDir: dir, log });
    cluster = await mockCluster();
  });

  after(async () => {
    await stopAll();
    await sink?.close();
    await new Promise<void>((r) => (cluster?.producer.isConnected() ? cluster.producer.disconnect(() => r()) : r()));
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('events produced with node-rdkafka and with kcat are stored once each; lag drops to zero', async () => {
    await produce(cluster.producer, Array.from({ length: 50 }, (_, i) => ['k-gas-1', event('k-gas-1', i)] as [string, string]));
    const lines = Array.from({ length: 20 }, (_, i) => `k-truck-2:${event('k-truck-2', i)}`);
    const kcat = await run(KCAT, ['-P', '-b', cluster.bootstrap, '-t', KAFKA_TOPIC, '-K:'], lines.join('\n') + '\n');
    assert.equal(kcat.code, 0, `kcat -P failed: ${kcat.stderr}`);
    const t = await start(sink);
    await waitFor('70 events stored', async () => (await count(`SELECT count(*)::int AS n FROM device_events WHERE device_id IN ('k-gas-1', 'k-truck-2')`)) === 70, 30_000);
    assert.equal(await count(`SELECT count(*)::int AS n FROM device_events WHERE transport = 'kafka'`), 70);
    await waitFor('the lag gauge to reach 0', async () => {
      const values = (await registry.getSingleMetric('gridwatch_kafka_consumer_lag')!.get()).values;
      return values.length > 0 && values.every((v) => v.value === 0);
    });
    assert.deepEqual((t.health().detail as { group: string }).group, 'gridwatch');
  });

  test('poison messages become dead letters and are copied to device-events.dlq with the reason', async () => {
    const spoof = event('k-gas-1', 900); // deviceId k-gas-1, keyed as k-truck-2
    const kcat = await run(KCAT, ['-P', '-b', cluster.bootstrap, '-t', KAFKA_TOPIC, '-K:'], `k-gas-1:{not json\nk-truck-2:${spoof}\n`);
    assert.equal(kcat.code, 0, kcat.stderr);
    await produce(cluster.producer, [['k-gas-1', '{"kind":"gas-sensor","lelPct":"high"}']]);
    await waitFor('3 kafka dead letters', async () => (await count(`SELECT count(*)::int AS n FROM dead_letters WHERE transport = 'kafka'`)) === 3, 30_000);
    let dlq: string[] = [];
    await waitFor('3 messages on device-events.dlq', async () => {
      const r = await run(KCAT, ['-C', '-b', cluster.bootstrap, '-t', KAFKA_DLQ_TOPIC, '-e', '-q', '-f', '%k|%h|%s\\n']);
      dlq = r.stdout.split('\n').filter(Boolean);
      return dlq.length === 3;
    });
    for (const line of dlq) {
      assert.match(line, /gridwatch-error-code=GW_[A-Z_]+/, line);
      assert.match(line, /gridwatch-error-reason=./, line);
      assert.match(line, /gridwatch-source=device-events\/\d+@\d+/, line);
    }
    assert.ok(dlq.some((l) => l.startsWith('k-gas-1|') && l.endsWith('|{not json')), 'the raw bytes and key are kept');
    assert.ok(dlq.some((l) => l.startsWith('k-truck-2|') && l.includes('"e-900"')), 'a device speaking for another is poison');
    assert.equal(await count(`SELECT count(*)::int AS n FROM device_events WHERE event_id = 'e-900'`), 0);
  });

  test('a consumer stopped after storing but before committing: the batch is redelivered and stored exactly once', async () => {
    await stopAll();
    const hang = new StoreThenHangSink(sink);
    await start(hang, 200);
    await produce(cluster.producer, Array.from({ length: 100 }, (_, i) => ['k-gas-1', event('k-gas-1', 1000 + i)] as [string, string]));
    await waitFor('the first consumer to store a batch', () => hang.stored.length > 0, 30_000);
    // The batch is in the database, its offsets are not committed: stop (crash) now.
    await stopAll();
    const firstStored = hang.stored.filter((o) => o.status === 'accepted').map((o) => (o as { eventId: string }).eventId);
    assert.ok(firstStored.length > 0);

    const watching = new WatchingSink(sink);
    await start(watching);
    const ids = Array.from({ length: 100 }, (_, i) => `e-${1000 + i}`);
    await waitFor('all 100 events stored', async () => (await count(`SELECT count(*)::int AS n FROM device_events WHERE device_id = 'k-gas-1' AND event_id = ANY($1)`, [ids])) === 100, 30_000);
    await waitFor('the stored-but-uncommitted batch redelivered', () =>
      firstStored.every((id) => watching.outcomes.some((o) => o.status === 'duplicate' && o.eventId === id)),
    );
    assert.equal(await count(`SELECT count(DISTINCT event_id)::int AS n FROM device_events WHERE device_id = 'k-gas-1' AND event_id = ANY($1)`, [ids]), 100);
    // What the first consumer stored and committed (the first two tests) is not read again.
    const earlier = watching.outcomes.filter((o) => o.status === 'rejected' || !ids.includes(o.eventId));
    assert.deepEqual(earlier, [], 'committed offsets are not redelivered');
  });
});

describe('KAFKA_MOCK=1', () => {
  test('the transport starts its own mock cluster, logs and reports its bootstrap address, and kcat can feed it', async () => {
    const db = await getTestDb();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-kafka-mock-'));
    let logged = '';
    const capture = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, cb) => ((logged += chunk.toString()), cb()) }));
    const devices = new DeviceRegistry(db.pool);
    await devices.register({ id: 'km-gas-1', kind: 'gas-sensor' });
    const sink = new BatchingIngestSink({ pool: db.pool, devices, dataDir: dir, log });
    const t = new KafkaTransport({ mock: true, log: capture });
    try {
      await t.start(sink);
      const detail = t.health().detail as { mode: string; bootstrap: string };
      assert.equal(detail.mode, 'mock');
      assert.match(detail.bootstrap, /^127\.0\.0\.1:\d+$/);
      assert.ok(logged.includes(`kcat -P -b ${detail.bootstrap} -t device-events -K:`), 'the log says how to feed it');
      const kcat = await run(KCAT, ['-P', '-b', detail.bootstrap, '-t', KAFKA_TOPIC, '-K:'], `km-gas-1:${JSON.stringify(wireEvent('gas-sensor', 'km-gas-1', 1))}\n`);
      assert.equal(kcat.code, 0, kcat.stderr);
      await waitFor('the kcat event stored', async () => (await db.pool.query(`SELECT 1 FROM device_events WHERE device_id = 'km-gas-1'`)).rowCount === 1, 30_000);
      assert.equal(t.health().status, 'ok');
    } finally {
      await t.stop();
      await sink.close();
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
