/**
 * Poison messages of any size on the Kafka transport, against librdkafka's mock cluster fed by
 * Debian's kcat (which sends the 1.5 MB and 5 MB messages with `-X message.max.bytes=10000000`),
 * with the real registry and batching sink over the test database: every poison message is a
 * dead letter with a bounded row and exactly one (possibly truncated) copy on the DLQ topic,
 * and intake goes on. Then the consumer's health when it cannot make progress (the database
 * cut off by a real TCP proxy) and the give-up path of a DLQ copy that cannot be made.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Kafka from 'node-rdkafka';
import { createLogger } from '../../core/logger.js';
import { registry } from '../../core/metrics.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { BatchingIngestSink } from '../../ingest/ingest-sink.js';
import { DEAD_LETTER_KEPT_BYTES } from '../../ingest/decode.js';
import { DLQ_TRUNCATED_VALUE_BYTES, KAFKA_DLQ_TOPIC, KAFKA_TOPIC, KafkaTransport, type KafkaTransportOptions } from '../../ingest/transports/kafka.js';
import { replayDeadLetters } from '../../server/devices/dead-letter-replay.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { proxiedPool } from './db-proxy.js';
import { mockCluster, requireBinary, run, waitFor, wireEvent } from './mqtt-kafka-support.js';

const KCAT = requireBinary('/usr/bin/kcat', 'kcat');
const log = createLogger('silent');
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** Produces `key:value` lines to one partition with kcat; its own size limit is raised so it can send 5 MB. */
async function kcatProduce(bootstrap: string, partition: number, lines: string[]): Promise<void> {
  const args = ['-P', '-b', bootstrap, '-t', KAFKA_TOPIC, '-p', String(partition), '-K:', '-X', 'message.max.bytes=10000000'];
  const r = await run(KCAT, args, lines.join('\n') + '\n', 60_000);
  assert.equal(r.code, 0, `kcat -P failed: ${r.stderr}`);
}

interface DlqCopy {
  partition: number;
  key: string;
  bytes: number;
  headers: Map<string, string>;
}

/** Reads the whole DLQ topic back with kcat: key, value size and headers of each copy (not the values). */
async function readDlq(bootstrap: string): Promise<DlqCopy[]> {
  const r = await run(KCAT, ['-C', '-b', bootstrap, '-t', KAFKA_DLQ_TOPIC, '-e', '-q', '-f', '%p\\t%k\\t%S\\t%h\\n'], undefined, 60_000);
  assert.equal(r.code, 0, `kcat -C failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [partition, key, bytes, headers] = line.split('\t') as [string, string, string, string];
      // kcat prints headers as name=value,name=value; only our gridwatch-* ones are read, and a
      // reason may hold commas, so each is cut at the next ",gridwatch-".
      const h = new Map<string, string>();
      for (const m of headers.matchAll(/(gridwatch-[a-z0-9-]+)=(.*?)(?=,gridwatch-|$)/g)) h.set(m[1]!, m[2]!);
      return { partition: Number(partition), key, bytes: Number(bytes), headers: h };
    });
}

describe('Kafka poison messages of any size', () => {
  let db: TestDb;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-kafka-poison-'));
  const clusters: { producer: Kafka.Producer; bootstrap: string }[] = [];
  const transports: KafkaTransport[] = [];
  const sinks: BatchingIngestSink[] = [];
  const count = async (sql: string, params: unknown[] = []) => (await db.pool.query<{ n: number }>(sql, params)).rows[0]!.n;
  const event = (deviceId: string, n: string) => JSON.stringify(wireEvent('gas-sensor', deviceId, n));

  /** A fresh mock cluster per test, so no test waits for another's consumer to leave the group. */
  const cluster = async () => {
    const c = await mockCluster();
    clusters.push(c);
    return c;
  };
  const startTransport = async (sink: BatchingIngestSink, opts: Omit<KafkaTransportOptions, 'log'>) => {
    const t = new KafkaTransport({ log, sessionTimeoutMs: 3000, ...opts });
    transports.push(t);
    await t.start(sink);
    return t;
  };
  const newSink = () => {
    const s = new BatchingIngestSink({ pool: db.pool, devices: new DeviceRegistry(db.pool), dataDir: dir, log });
    sinks.push(s);
    return s;
  };

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    const devices = new DeviceRegistry(db.pool);
    for (let p = 0; p < 4; p++) await devices.register({ id: `kp-gas-${p}`, kind: 'gas-sensor' });
    await devices.register({ id: 'ks-gas-1', kind: 'gas-sensor' });
    await devices.register({ id: 'kg-gas-1', kind: 'gas-sensor' });
  });

  after(async () => {
    for (const t of transports) await t.stop();
    for (const s of sinks) await s.close();
    for (const c of clusters) await new Promise<void>((r) => (c.producer.isConnected() ? c.producer.disconnect(() => r()) : r()));
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('1.5 MB and 5 MB poison, small poison and valid events on 4 partitions: dead letters once, DLQ copies once, intake goes on', async () => {
    const c = await cluster();
    const big15 = `{"kind":"gas-sensor","blob":"${'x'.repeat(1_500_000)}`; // unterminated: not JSON
    const big5 = JSON.stringify({ kind: 'gas-sensor', pad: 'y'.repeat(5_000_000) }); // over the 3 MB decode limit
    const poison = new Map<string, { partition: number; value: string }>();
    for (let p = 0; p < 4; p++) {
      const key = `kp-gas-${p}`;
      const mismatch = event(`kp-gas-${(p + 1) % 4}`, `spoof-${p}`); // keyed as one device, naming another
      const lines = [`${key}:${event(key, `p${p}-0`)}`, `${key}:{not json ${p}`, `${key}:${event(key, `p${p}-1`)}`, `${key}:${mismatch}`];
      if (p === 1) lines.push(`${key}:${big15}`);
      if (p === 2) lines.push(`${key}:${big5}`);
      lines.push(`${key}:${event(key, `p${p}-2`)}`);
      await kcatProduce(c.bootstrap, p, lines);
      poison.set(`${p}:not-json`, { partition: p, value: `{not json ${p}` });
      poison.set(`${p}:mismatch`, { partition: p, value: mismatch });
    }
    poison.set('1:big15', { partition: 1, value: big15 });
    poison.set('2:big5', { partition: 2, value: big5 });

    const sink = newSink();
    const t = await startTransport(sink, { brokers: c.bootstrap });
    await waitFor('10 kafka dead letters', async () => (await count(`SELECT count(*)::int AS n FROM dead_letters WHERE transport = 'kafka'`)) === 10, 60_000);
    // Sent after the poison, on the partitions holding the big messages: intake must go on.
    await kcatProduce(c.bootstrap, 1, [`kp-gas-1:${event('kp-gas-1', 'after-1')}`]);
    await kcatProduce(c.bootstrap, 2, [`kp-gas-2:${event('kp-gas-2', 'after-2')}`]);
    await waitFor('the events sent after the poison stored', async () =>
      (await count(`SELECT count(*)::int AS n FROM device_events WHERE event_id IN ('e-after-1', 'e-after-2')`)) === 2, 60_000);

    // Valid events: 3 per partition plus the 2 later ones, each stored once.
    assert.equal(await count(`SELECT count(*)::int AS n FROM device_events WHERE device_id LIKE 'kp-gas-%'`), 14);
    assert.equal(await count(`SELECT count(DISTINCT (device_id, event_id))::int AS n FROM device_events WHERE device_id LIKE 'kp-gas-%'`), 14);
    assert.equal(await count(`SELECT count(*)::int AS n FROM device_events WHERE event_id LIKE 'e-spoof-%'`), 0);

    // Dead letters: one per poison message, each with its reason; every row is bounded.
    const { rows } = await db.pool.query<{ id: string; code: string; reason: string; raw_bytes: string; raw_sha256: string; raw_truncated: boolean; stored: number }>(
      `SELECT id::text, code, reason, raw_bytes::text, raw_sha256, raw_truncated, octet_length(raw) AS stored FROM dead_letters WHERE transport = 'kafka'`,
    );
    assert.equal(rows.length, 10);
    for (const r of rows) assert.ok(r.reason.length > 0 && r.stored <= 3_000_000, JSON.stringify({ ...r, reason: r.reason.slice(0, 200) }));
    const byHash = new Map(rows.map((r) => [r.raw_sha256, r]));
    for (const [name, { value }] of poison) assert.ok(byHash.has(sha256(value)), `dead letter for ${name} (matched by SHA-256)`);
    const r5 = byHash.get(sha256(big5))!;
    assert.equal(r5.code, 'GW_INGEST_TOO_LARGE');
    assert.equal(Number(r5.raw_bytes), Buffer.byteLength(big5));
    assert.equal(r5.raw_truncated, true);
    assert.ok(r5.stored <= DEAD_LETTER_KEPT_BYTES, `the 5 MB dead letter keeps ${r5.stored} bytes`);
    assert.match(r5.reason, new RegExp(`${Buffer.byteLength(big5)} bytes.*sha256 ${sha256(big5)}`));
    // 1.5 MB is within the decode limit: kept whole, so it can be replayed after a fix.
    const r15 = byHash.get(sha256(big15))!;
    assert.equal(r15.code, 'GW_INGEST_BAD_JSON');
    assert.equal(r15.raw_truncated, false);
    assert.equal(r15.stored, Buffer.byteLength(big15));
    assert.deepEqual(rows.filter((r) => r.code === 'GW_INGEST_DEVICE_MISMATCH').length, 4);
    // Its first 64 KiB are not the message: replaying it says so instead of making a misleading new letter.
    const [replayed] = await replayDeadLetters(db.pool, sink, { ids: [Number(r5.id)], includeReplayed: true, limit: 1 });
    assert.deepEqual(replayed?.outcome, { status: 'rejected', code: 'GW_INGEST_TOO_LARGE', reason: `only the first bytes of this ${Buffer.byteLength(big5)}-byte payload (sha256 ${sha256(big5)}) are kept; it cannot be replayed` });
    assert.equal(await count(`SELECT count(*)::int AS n FROM dead_letters`), 10);

    // The DLQ topic: each poison message exactly once; the two over 1 MB truncated, with size and hash.
    const dlq = await readDlq(c.bootstrap);
    const sources = dlq.map((d) => d.headers.get('gridwatch-source'));
    assert.equal(dlq.length, 10, `DLQ copies: ${JSON.stringify(sources)}`);
    assert.equal(new Set(sources).size, 10, 'no source copied twice');
    for (const d of dlq) {
      assert.match(d.headers.get('gridwatch-error-code') ?? '', /^GW_INGEST_[A-Z_]+$/);
      assert.ok(d.headers.get('gridwatch-error-reason'));
      assert.match(d.headers.get('gridwatch-source') ?? '', /^device-events\/[0-3]@\d+$/);
    }
    assert.deepEqual(new Set(dlq.map((d) => d.headers.get('gridwatch-source')!.split('/')[1]!.split('@')[0])), new Set(['0', '1', '2', '3']));
    const truncated = dlq.filter((d) => d.headers.has('gridwatch-truncated'));
    assert.equal(truncated.length, 2);
    for (const big of [big15, big5]) {
      const d = truncated.find((x) => x.headers.get('gridwatch-original-sha256') === sha256(big));
      assert.ok(d, `a truncated copy carries the SHA-256 of the ${Buffer.byteLength(big)}-byte message`);
      assert.equal(d.headers.get('gridwatch-original-bytes'), String(Buffer.byteLength(big)));
      assert.ok(d.bytes > 0 && d.bytes <= DLQ_TRUNCATED_VALUE_BYTES, `truncated copy of ${d.bytes} bytes`);
      assert.match(d.key, /^kp-gas-[12]$/);
    }
    for (const d of dlq.filter((x) => !x.headers.has('gridwatch-truncated'))) assert.ok(d.bytes < 1000);

    // Up and healthy, nothing left behind.
    await waitFor('the lag to reach 0', () => (t.health().detail as { lag: number }).lag === 0);
    assert.equal(t.health().status, 'ok', JSON.stringify(t.health()));
  });

  test('health reports a consumer stuck on storage, with what and since when, and recovers when it is back', async () => {
    const c = await cluster();
    const { proxy, pool } = await proxiedPool(db.connectionString, 'gw-kafka-stuck-test');
    // The sink gives up on a batch after 300 ms of failures; the transport then retries it.
    const sink = new BatchingIngestSink({ pool, devices: new DeviceRegistry(pool), dataDir: dir, log }, { retryForMs: 300, retryBaseMs: 20, retryMaxMs: 100 });
    const t = new KafkaTransport({ log, sessionTimeoutMs: 3000, brokers: c.bootstrap, stuckAfterMs: 500 });
    try {
      await t.start(sink);
      await kcatProduce(c.bootstrap, 0, [`ks-gas-1:${event('ks-gas-1', 'stuck-0')}`]);
      await waitFor('the first event stored', async () => (await count(`SELECT count(*)::int AS n FROM device_events WHERE device_id = 'ks-gas-1'`)) === 1, 30_000);
      assert.equal(t.health().status, 'ok');

      proxy.cut();
      const cutAt = Date.now();
      await kcatProduce(c.bootstrap, 1, ['stuck-1', 'stuck-2', 'stuck-3'].map((n) => `ks-gas-1:${event('ks-gas-1', n)}`));
      const down = await waitFor('kafka health down, saying what is stuck and the last error', () => {
        const h = t.health();
        return h.status === 'down' && (h.detail as { stuck?: { lastError?: string } }).stuck?.lastError ? h : undefined;
      }, 30_000);
      const stuck = (down.detail as { stuck?: { stage: string; what: string; since: string; forMs: number; lastError: string } }).stuck;
      assert.ok(stuck, JSON.stringify(down));
      assert.equal(stuck.stage, 'store');
      assert.match(stuck.what, /^storing [1-3] messages from device-events$/);
      assert.ok(Date.parse(stuck.since) >= cutAt - 1000 && Date.parse(stuck.since) <= Date.now(), stuck.since);
      assert.ok(stuck.forMs >= 500);
      assert.match(stuck.lastError, /GW_INGEST_UNAVAILABLE|database/);

      await proxy.listen();
      await waitFor('the held events stored', async () => (await count(`SELECT count(*)::int AS n FROM device_events WHERE device_id = 'ks-gas-1'`)) === 4, 30_000);
      await waitFor('kafka health ok again', () => t.health().status === 'ok' && !(t.health().detail as { stuck?: unknown }).stuck, 30_000);
    } finally {
      await t.stop();
      await sink.close();
      await proxy.close();
      await pool.end();
    }
  });

  test('a DLQ copy that cannot be made is recorded (metric, health detail) and intake goes on; the others are copied once', async () => {
    const c = await cluster();
    const failedBefore = (await registry.getSingleMetric('gridwatch_kafka_dlq_failed_total')?.get())?.values[0]?.value ?? 0;
    // A DLQ topic limited to 1000 bytes: the key and reason of a message keyed with a 950-character
    // "device id" do not fit even with the value truncated to nothing.
    const t = await startTransport(newSink(), { brokers: c.bootstrap, dlqMaxMessageBytes: 1000 });
    const longKey = 'k'.repeat(950);
    await kcatProduce(c.bootstrap, 0, [`${longKey}:${event('kg-gas-1', 'g-0')}`, `kg-gas-1:{not json`, `kg-gas-1:${event('kg-gas-1', 'g-1')}`]);
    await waitFor('2 dead letters', async () => (await count(`SELECT count(*)::int AS n FROM dead_letters WHERE device_id = 'kg-gas-1'`)) === 2, 30_000);
    await kcatProduce(c.bootstrap, 0, [`kg-gas-1:${event('kg-gas-1', 'g-after')}`]);
    await waitFor('the later event stored', async () => (await count(`SELECT count(*)::int AS n FROM device_events WHERE event_id = 'e-g-after'`)) === 1, 30_000);

    const failed = (await registry.getSingleMetric('gridwatch_kafka_dlq_failed_total')!.get()).values[0]!.value;
    assert.equal(failed - failedBefore, 1);
    const h = t.health();
    assert.equal(h.status, 'ok', JSON.stringify(h));
    const detail = h.detail as { dlqFailed?: { count: number; last: { source: string; code: string; error: string; at: string } } };
    assert.equal(detail.dlqFailed?.count, 1, JSON.stringify(h));
    assert.match(detail.dlqFailed.last.source, /^device-events\/0@0$/);
    assert.equal(detail.dlqFailed.last.code, 'GW_INGEST_DEVICE_MISMATCH');
    assert.match(detail.dlqFailed.last.error, /more than the 1000 allowed/);

    const dlq = await readDlq(c.bootstrap);
    assert.equal(dlq.length, 1, JSON.stringify(dlq));
    assert.equal(dlq[0]!.headers.get('gridwatch-source'), 'device-events/0@1');
    assert.equal(await count(`SELECT count(*)::int AS n FROM device_events WHERE device_id = 'kg-gas-1'`), 2);
  });
});
