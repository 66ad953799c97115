/**
 * Fault: the app is killed with SIGKILL mid-batch and restarted, over MQTT (its embedded broker,
 * QoS 1). A device counts a reading as delivered only on PUBACK; what was not acknowledged
 * before the kill it sends again to the restarted service (same event id), the way a device's
 * MQTT session does. Over Kafka (a librdkafka mock cluster in the test process, so it outlives
 * the service) the log keeps every record and the restarted consumer resumes from the group's
 * committed offset, so records read but not committed before the kill come again. At the end: every event sent is stored exactly once and processed by the
 * clue pipeline (sent = stored; none of these is malformed, so none is dead-lettered), and no
 * clue is opened twice for one problem. Real PostgreSQL only: the service child needs a
 * database it can share with the test across its own restart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type mqtt from 'mqtt';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { getTestDb, resetDb } from '../helpers/db.js';
import { mockCluster, waitFor } from '../ingest/mqtt-kafka-support.js';
import { duplicateOpenClues, settledCounts } from './helpers/accounting.js';
import { publish, reading } from './helpers/gas-flood.js';
import { startService, stopService, type Service } from './helpers/service.js';

const REAL_PG = process.env.GW_TEST_DB_BACKEND === 'postgres';
const DEVICES = 10;
const PER_DEVICE = 100;
const TOTAL = DEVICES * PER_DEVICE;
/** Share of the flood acknowledged when the service is killed. */
const KILL_AT = 0.4;

test(
  'SIGKILL mid-batch over MQTT, then restart: every event sent is stored once and processed, no duplicate clue',
  { skip: !REAL_PG && 'needs real PostgreSQL (npm test with DATABASE_URL): the service child and the test share the database across a restart', timeout: 180_000 },
  async (t) => {
    const db = await getTestDb();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-sigkill-'));
    let service: Service | undefined;
    const clients: mqtt.MqttClient[] = [];
    try {
      await resetDb(db.pool);
      const registry = new DeviceRegistry(db.pool);
      const tokens = new Map<string, string>();
      for (let d = 0; d < DEVICES; d++) {
        const id = `kill-${String(d).padStart(2, '0')}`;
        tokens.set(id, (await registry.register({ id, kind: 'gas-sensor' })).token);
      }
      const all = new Map([...tokens.keys()].map((id) => [id, Array.from({ length: PER_DEVICE }, (_, n) => n)]));
      const acked = new Set<string>();

      // Phase 1: flood, and SIGKILL the service once KILL_AT of it is acknowledged.
      service = await startService(db.connectionString, dataDir);
      const first = service;
      let killed = false;
      const killer = waitFor('the kill point', () => acked.size >= KILL_AT * TOTAL || undefined, 120_000).then(() => {
        killed = true;
        first.child.kill('SIGKILL');
      });
      clients.push(...(await publish(first.mqttPort!, tokens, all, acked, () => killed, 'a')));
      await killer;
      assert.equal(await first.exited, 'SIGKILL');
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
      const ackedBeforeKill = acked.size;
      const storedAtKill = (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM device_events WHERE device_id LIKE 'kill-%'")).rows[0]!.n;
      t.diagnostic(`killed at ${ackedBeforeKill} acknowledged, ${storedAtKill} stored`);
      assert.ok(storedAtKill >= ackedBeforeKill, 'every event acknowledged before the kill was already stored (PUBACK after the write)');

      // Phase 2: restart on the same database and data directory; devices send what was not acknowledged.
      service = await startService(db.connectionString, dataDir);
      const rest = new Map([...all].map(([id, ns]) => [id, ns.filter((n) => !acked.has(`${id}-${n}`))]));
      clients.push(...(await publish(service.mqttPort!, tokens, rest, acked, () => false, 'b')));
      assert.equal(acked.size, TOTAL, 'every reading was acknowledged in the end');

      const final = await settledCounts(db.pool, 'kill-%', TOTAL);
      const dupes = await duplicateOpenClues(db.pool);
      const clues = (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM clues')).rows[0]!.n;
      t.diagnostic(`sent ${TOTAL}; stored ${final.stored} (${final.distinct} distinct), processed ${final.processed}, dead-lettered ${final.dead}; clues ${clues}`);

      assert.equal(final.distinct + final.dead, TOTAL, 'sent = stored + dead-lettered');
      assert.equal(final.stored, final.distinct, 'no event stored twice');
      assert.equal(final.processed, final.stored, 'the pipeline processed every stored event, including the batch cut off by the kill');
      assert.deepEqual(dupes, [], 'no problem has two open clues');
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await stopService(service);
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);

test(
  'SIGKILL mid-batch over Kafka, then restart: the consumer group resumes, every record is stored once and processed, no duplicate clue',
  { skip: !REAL_PG && 'needs real PostgreSQL (npm test with DATABASE_URL): the service child and the test share the database across a restart', timeout: 180_000 },
  async (t) => {
    const db = await getTestDb();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-sigkill-kafka-'));
    const { producer, bootstrap } = await mockCluster();
    let service: Service | undefined;
    try {
      await resetDb(db.pool);
      const registry = new DeviceRegistry(db.pool);
      const ids: string[] = [];
      for (let d = 0; d < DEVICES; d++) {
        const id = `kk-${String(d).padStart(2, '0')}`;
        await registry.register({ id, kind: 'gas-sensor' });
        ids.push(id);
      }
      const send = (from: number, to: number) => {
        for (let n = from; n < to; n++) for (const id of ids) producer.produce('device-events', null, Buffer.from(reading(id, n)), id);
        producer.flush(10_000);
      };
      const stored = async () => (await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM device_events WHERE device_id LIKE 'kk-%'")).rows[0]!.n;
      const env = { KAFKA_BROKERS: bootstrap };

      service = await startService(db.connectionString, dataDir, env);
      const half = Math.round(PER_DEVICE * KILL_AT);
      send(0, half);
      await waitFor('the first share to be consumed', async () => (await stored()) >= 0.75 * half * DEVICES || undefined, 120_000);
      // The rest goes out and the service is killed while it reads it.
      send(half, PER_DEVICE);
      await waitFor('the service to read past the first share', async () => (await stored()) > half * DEVICES || undefined, 120_000).catch(() => undefined);
      service.child.kill('SIGKILL');
      assert.equal(await service.exited, 'SIGKILL');
      t.diagnostic(`killed with ${await stored()} of ${TOTAL} stored`);

      service = await startService(db.connectionString, dataDir, env);
      const final = await settledCounts(db.pool, 'kk-%', TOTAL);
      const dupes = await duplicateOpenClues(db.pool);
      const clues = (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM clues')).rows[0]!.n;
      t.diagnostic(`sent ${TOTAL}; stored ${final.stored} (${final.distinct} distinct), processed ${final.processed}, dead-lettered ${final.dead}; clues ${clues}`);

      assert.equal(final.distinct + final.dead, TOTAL, 'sent = stored + dead-lettered');
      assert.equal(final.stored, final.distinct, 'no record stored twice, though some were read twice');
      assert.equal(final.processed, final.stored, 'the pipeline processed every stored event');
      assert.deepEqual(dupes, [], 'no problem has two open clues');
    } finally {
      await stopService(service);
      await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
