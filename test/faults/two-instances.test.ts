/**
 * Two instances share the work (docs/SCALING.md). Two service processes on one real PostGIS, fed
 * by a private Mosquitto (the shipped configuration) through the shared subscription
 * `$share/gridwatch/…` and by a Kafka consumer group on a librdkafka mock cluster in the test
 * process. Both take part of the intake over each transport; mid-stream one is killed with
 * SIGKILL and, like a container with a restart policy, started again under the same MQTT client
 * id (Mosquitto kept its persistent session and what was queued for it). Then every clue's
 * deadlines are made due at once, and both schedulers race for them (FOR UPDATE SKIP LOCKED).
 * At the end: sent = stored + dead-lettered, no event stored twice, no problem with two open
 * clues, and every planned deadline step taken exactly once (one outbox event, one timeline row).
 * Real PostgreSQL only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type Kafka from 'node-rdkafka';
import mqtt from 'mqtt';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { getTestDb, resetDb } from '../helpers/db.js';
import { mockCluster, waitFor, wireEvent } from '../ingest/mqtt-kafka-support.js';
import { PrivateMosquitto } from './helpers/mosquitto.js';
import { duplicateOpenClues, settledCounts } from './helpers/accounting.js';
import { startService, stopService, type Service } from './helpers/service.js';

const REAL_PG = process.env.GW_TEST_DB_BACKEND === 'postgres';
const DEVICES = 6;
const PER_DEVICE = 100;
/** Per transport. */
const SENT = DEVICES * PER_DEVICE;
const TOTAL = 2 * SENT;
const WINDOW = 4;
const APP = { user: 'gridwatch', password: 'app-secret-for-fault-tests' };

/** Reading `n` of a device: a gas leak alarm (LEL 32 %) every 20th reading, quiet otherwise. */
function reading(id: string, n: number): string {
  const e = { ...wireEvent('gas-sensor', id, n), eventId: `${id}-${n}`, position: { lon: 121.55 + Number(id.slice(-2)) / 1000, lat: 29.87, crs: 'wgs84', accuracyM: 5 } };
  return JSON.stringify(n % 20 === 19 ? { ...e, lelPct: 32 } : e);
}

/** The instance's accepted events per transport, from its /metrics. */
async function accepted(service: Service): Promise<{ mqtt: number; kafka: number }> {
  const out = { mqtt: 0, kafka: 0 };
  try {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    for (const m of text.matchAll(/^gridwatch_ingest_events_total\{([^}]*)\} (\d+)/gm)) {
      if (!m[1]!.includes('outcome="accepted"')) continue;
      if (m[1]!.includes('transport="mqtt"')) out.mqtt += Number(m[2]);
      if (m[1]!.includes('transport="kafka"')) out.kafka += Number(m[2]);
    }
  } catch {
    // a killed instance has no metrics
  }
  return out;
}

/** True once the instance's MQTT and Kafka components report ok. */
async function transportsUp(service: Service): Promise<boolean> {
  try {
    const body = (await (await fetch(`${service.url}/healthz`)).json()) as { components: Record<string, { status: string }> };
    return body.components.mqtt?.status === 'ok' && body.components.kafka?.status === 'ok';
  } catch {
    return false;
  }
}

test(
  'two instances share MQTT (shared subscription) and Kafka (consumer group): split intake, one SIGKILLed mid-stream, nothing lost or doubled, every deadline step once',
  { skip: !REAL_PG && 'needs real PostgreSQL (npm test with DATABASE_URL): two service processes share one database', timeout: 240_000 },
  async (t) => {
    const t0 = Date.now();
    const at = () => `at ${Math.round((Date.now() - t0) / 1000)} s`;
    const db = await getTestDb();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-two-'));
    const broker = new PrivateMosquitto(dir, APP);
    const { producer, bootstrap } = await mockCluster();
    const clients: mqtt.MqttClient[] = [];
    const services: Record<'a' | 'b', Service | undefined> = { a: undefined, b: undefined };
    let stopped = false;
    let stop = () => undefined as unknown;
    try {
      await resetDb(db.pool);
      const registry = new DeviceRegistry(db.pool);
      const mqttTokens: Record<string, string> = {};
      const kafkaIds: string[] = [];
      for (let d = 0; d < DEVICES; d++) {
        const m = `tm-${String(d).padStart(2, '0')}`;
        mqttTokens[m] = (await registry.register({ id: m, kind: 'gas-sensor' })).token;
        const k = `tk-${String(d + 50).padStart(2, '0')}`;
        await registry.register({ id: k, kind: 'gas-sensor' });
        kafkaIds.push(k);
      }
      await broker.setUp(mqttTokens);
      const md = await new Promise<Kafka.Metadata>((resolve, reject) =>
        producer.getMetadata({ topic: 'device-events', timeout: 10_000 }, (err, m) => (err ? reject(err) : resolve(m))),
      );
      const partitions = md.topics.find((x) => x.name === 'device-events')?.partitions.length ?? 0;
      t.diagnostic(`Kafka topic device-events has ${partitions} partitions on the mock cluster (${at()})`);

      const start = (name: 'a' | 'b') => {
        const dataDir = path.join(dir, `app-${name}`);
        fs.mkdirSync(dataDir, { recursive: true });
        return startService(db.connectionString, dataDir, {
          MQTT_URL: `mqtt://${APP.user}:${APP.password}@127.0.0.1:${broker.port}`,
          MQTT_CLIENT_ID: `gw-two-${process.pid}-${name}`,
          KAFKA_BROKERS: bootstrap,
        });
      };
      [services.a, services.b] = await Promise.all([start('a'), start('b')]);
      for (const s of [services.a, services.b]) await waitFor('both transports up', async () => (await transportsUp(s)) || undefined, 60_000);
      t.diagnostic(`both instances up (${at()})`);

      // MQTT devices publish QoS 1 on persistent sessions and resend what was not acknowledged;
      // each lane stops at `mqttLimit` until the test moves it on.
      const PHASES = [0.4, 0.7, 1].map((x) => Math.round(x * PER_DEVICE));
      let mqttLimit = PHASES[0]!;
      stop = () => (stopped = true);
      const lanes = Object.entries(mqttTokens).map(async ([id, token]) => {
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
          username: id, password: token, clientId: `two-dev-${process.pid}-${id}`, clean: false, reconnectPeriod: 100, connectTimeout: 30_000,
        });
        client.on('error', () => undefined);
        clients.push(client);
        let next = 0;
        const lane = async () => {
          for (;;) {
            if (next >= PER_DEVICE || stopped) return;
            if (next >= mqttLimit) {
              await new Promise((r) => setTimeout(r, 50));
              continue;
            }
            const n = next++;
            await client.publishAsync(`devices/gas-sensor/${id}/events`, reading(id, n), { qos: 1 });
          }
        };
        await Promise.all(Array.from({ length: WINDOW }, lane));
      });
      const produce = (from: number, to: number) => {
        for (let n = from; n < to; n++) for (const id of kafkaIds) producer.produce('device-events', null, Buffer.from(reading(id, n)), id);
        producer.flush(10_000);
      };
      const stored = async () => (await db.pool.query<{ n: number }>("SELECT count(DISTINCT (device_id, event_id))::int AS n FROM device_events WHERE device_id LIKE 't%'")).rows[0]!.n;

      // Phase 1: both instances take part of it over each transport.
      produce(0, PHASES[0]!);
      let seen = {};
      const split = await waitFor('both instances to take part of the intake over each transport', async () => {
        const [a, b] = [await accepted(services.a!), await accepted(services.b!)];
        seen = { a, b, stored: await stored() };
        return a.mqtt > 0 && b.mqtt > 0 && (partitions < 2 || (a.kafka > 0 && b.kafka > 0)) ? { a, b } : undefined;
      }, 90_000).catch((err: Error) => {
        throw new Error(`${err.message}; last seen ${JSON.stringify(seen)}`);
      });
      t.diagnostic(`split: a ${JSON.stringify(split.a)}, b ${JSON.stringify(split.b)} (${at()})`);

      // Phase 2, and B is killed while it flows.
      const before = await stored();
      mqttLimit = PHASES[1]!;
      produce(PHASES[0]!, PHASES[1]!);
      await waitFor('phase 2 to start arriving', async () => (await stored()) > before || undefined, 60_000);
      const atKill = { a: await accepted(services.a), b: await accepted(services.b) };
      services.b.child.kill('SIGKILL');
      assert.equal(await services.b.exited, 'SIGKILL');
      const storedAtKill = await stored();
      t.diagnostic(`B killed with ${storedAtKill} of ${TOTAL} stored; accepted until then: a ${JSON.stringify(atKill.a)}, b ${JSON.stringify(atKill.b)} (${at()})`);

      // Phase 3 while B is down: the survivor goes on taking its share.
      mqttLimit = PHASES[2]!;
      produce(PHASES[1]!, PHASES[2]!);
      const grown = await waitFor('the survivor to take more over each transport', async () => {
        const a = await accepted(services.a!);
        return a.mqtt > atKill.a.mqtt && a.kafka > atKill.a.kafka ? a : undefined;
      }, 90_000);
      t.diagnostic(`the survivor took more while B was down: a ${JSON.stringify(grown)}, ${await stored()} stored (${at()})`);

      // B comes back under the same client id, as a container with a restart policy would.
      services.b = await start('b');
      t.diagnostic(`B restarted (${at()})`);
      await Promise.all(lanes);
      const final = await settledCounts(db.pool, 't%', TOTAL);
      const after = { a: await accepted(services.a), b: await accepted(services.b) };
      t.diagnostic(`sent ${TOTAL}; stored ${final.stored} (${final.distinct} distinct), processed ${final.processed}, dead-lettered ${final.dead}; accepted after B's restart: a ${JSON.stringify(after.a)}, b (new process) ${JSON.stringify(after.b)} (${at()})`);

      assert.equal(final.distinct + final.dead, TOTAL, 'sent = stored + dead-lettered');
      assert.equal(final.stored, final.distinct, 'no event stored twice');
      assert.equal(final.processed, final.stored, 'every stored event processed by the clue pipeline');
      const dupes = await duplicateOpenClues(db.pool);
      assert.deepEqual(dupes, [], 'no problem has two open clues');

      // Deadlines: every open clue's deadlines fall due at once (opened 30 days ago, re-planned);
      // both schedulers run every few seconds and race for the same rows.
      const { rowCount: clueCount } = await db.pool.query(
        `UPDATE clues SET opened_at = opened_at - interval '30 days', accept_due_at = NULL, close_due_at = NULL,
                deadline_plan = '[]'::jsonb, deadline_done = '{}', escalation_level = 'town', next_deadline_at = '-infinity'
          WHERE status NOT IN ('closed', 'merged', 'escalated')`,
      );
      assert.ok((clueCount ?? 0) > 0, 'the alarms opened clues');
      await db.pool.query("DELETE FROM clue_outbox WHERE change = 'deadline'");
      await db.pool.query("DELETE FROM clue_timeline WHERE action LIKE 'deadline.%'");
      await waitFor('the schedulers to take every due step', async () => {
        const { rows } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM clues WHERE next_deadline_at IS NOT NULL AND next_deadline_at <= now() AND status NOT IN ('closed', 'merged', 'escalated')");
        return rows[0]!.n === 0 || undefined;
      }, 60_000);
      const { rows: per } = await db.pool.query<{ code: string; next: string | null; planned: string[]; done: string[]; outbox: string[] | null; timeline: number }>(
        `SELECT c.code, c.next_deadline_at AS next, ARRAY(SELECT s->>'key' FROM jsonb_array_elements(c.deadline_plan) s ORDER BY 1) AS planned,
                ARRAY(SELECT d FROM unnest(c.deadline_done) d ORDER BY 1) AS done,
                (SELECT array_agg(o.payload->'step'->>'dueAt' || ' ' || (o.payload->'step'->>'deadline') || '.' || (o.payload->'step'->>'kind') || COALESCE('.' || (o.payload->'step'->>'level'), '')) FROM clue_outbox o WHERE o.clue_id = c.id AND o.change = 'deadline') AS outbox,
                (SELECT count(*)::int FROM clue_timeline tl WHERE tl.clue_id = c.id AND tl.action LIKE 'deadline.%') AS timeline
           FROM clues c WHERE c.status NOT IN ('closed', 'merged', 'escalated')`,
      );
      const steps = per.reduce((n, r) => n + r.done.length, 0);
      t.diagnostic(`${per.length} open clues, ${steps} deadline steps taken (${at()})`);
      assert.ok(steps > 0, 'steps were due');
      for (const r of per) {
        // An escalation is taken once per level: the close deadline's escalation to a level the
        // accept deadline already reached is not taken again (deadline-policy nextStep).
        const expected = r.planned.filter((k) => !k.includes('.escalated.'));
        const levels = [...new Set(r.planned.filter((k) => k.includes('.escalated.')).map((k) => k.split('.')[2]!))];
        assert.deepEqual(r.done.filter((k) => !k.includes('.escalated.')), expected, `clue ${r.code}: every planned warning and overdue step taken, none missed`);
        for (const level of levels) assert.equal(r.done.filter((k) => k.endsWith(`.escalated.${level}`)).length, 1, `clue ${r.code}: escalated to ${level} once`);
        assert.equal(r.next, null, `clue ${r.code}: nothing left to do`);
        const outbox = r.outbox ?? [];
        assert.equal(new Set(outbox).size, outbox.length, `clue ${r.code}: no step queued twice`);
        assert.equal(outbox.length, r.done.length, `clue ${r.code}: one outbox event per step`);
        assert.equal(r.timeline, r.done.length, `clue ${r.code}: one timeline row per step`);
      }
    } finally {
      stop();
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await Promise.all([stopService(services.a), stopService(services.b)]);
      await broker.stop();
      await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
