/**
 * Fault: Mosquitto restarts mid-stream. A private broker (shipped configuration, persistence on)
 * feeds the whole service (MQTT_URL mode: persistent session, QoS 1, shared subscription);
 * devices publish QoS 1 with persistent sessions (clean = false) and resend what was not
 * acknowledged. Mid-stream the broker is stopped and started again. At the end no event is
 * stored twice and every event acknowledged before the restart is stored; the events the
 * restarted broker acknowledged before Gridwatch had subscribed again are the README's known
 * loss window (Mosquitto does not restore a shared subscription from its database): the test
 * counts them and measures how long that window was open. Real PostgreSQL only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import mqtt from 'mqtt';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { getTestDb, resetDb } from '../helpers/db.js';
import { waitFor, wireEvent } from '../ingest/mqtt-kafka-support.js';
import { PrivateMosquitto } from './helpers/mosquitto.js';
import { startService, stopService, type Service } from './helpers/service.js';

const REAL_PG = process.env.GW_TEST_DB_BACKEND === 'postgres';
const DEVICES = 5;
const PER_DEVICE = 200;
const TOTAL = DEVICES * PER_DEVICE;
const WINDOW = 4;
const RESTART_AT = 0.4;
const APP = { user: 'gridwatch', password: 'app-secret-for-fault-tests' };

async function mqttHealth(url: string): Promise<string | undefined> {
  try {
    const body = (await (await fetch(`${url}/healthz`)).json()) as { components: Record<string, { status: string }> };
    return body.components.mqtt?.status;
  } catch {
    return undefined;
  }
}

test(
  'Mosquitto restarts mid-stream: no event stored twice, none acknowledged before the restart lost; the loss window is measured',
  { skip: !REAL_PG && 'needs real PostgreSQL (npm test with DATABASE_URL) for the service child', timeout: 180_000 },
  async (t) => {
    const db = await getTestDb();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-mq-restart-'));
    const dataDir = path.join(dir, 'app');
    fs.mkdirSync(dataDir);
    const broker = new PrivateMosquitto(dir, APP);
    const clients: mqtt.MqttClient[] = [];
    let service: Service | undefined;
    try {
      await resetDb(db.pool);
      const registry = new DeviceRegistry(db.pool);
      const tokens: Record<string, string> = {};
      for (let d = 0; d < DEVICES; d++) {
        const id = `mr-${String(d).padStart(2, '0')}`;
        tokens[id] = (await registry.register({ id, kind: 'gas-sensor' })).token;
      }
      await broker.setUp(tokens);
      service = await startService(db.connectionString, dataDir, {
        MQTT_URL: `mqtt://${APP.user}:${APP.password}@127.0.0.1:${broker.port}`,
        MQTT_CLIENT_ID: `gw-fault-${process.pid}`,
      });
      const svc = service;
      await waitFor('the service subscribed', async () => (await mqttHealth(svc.url)) === 'ok' || undefined, 30_000);

      // When each event was acknowledged, and the restart's milestones, on one clock.
      const ackedAt = new Map<string, number>();
      const marks = { stopAt: 0, brokerBackAt: 0, appBackAt: 0 };
      let restarting: Promise<void> | undefined;
      const onAck = () => {
        if (!restarting && ackedAt.size >= RESTART_AT * TOTAL) {
          restarting = (async () => {
            marks.stopAt = Date.now();
            await broker.stop();
            await broker.start();
            marks.brokerBackAt = Date.now();
            await waitFor('the service to subscribe again', async () => (await mqttHealth(svc.url)) === 'ok' || undefined, 60_000);
            marks.appBackAt = Date.now();
          })();
        }
      };
      await Promise.all(
        Object.entries(tokens).map(async ([id, token]) => {
          const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
            username: id, password: token, clientId: `mr-dev-${process.pid}-${id}`, clean: false, reconnectPeriod: 100, connectTimeout: 30_000,
          });
          client.on('error', () => undefined);
          clients.push(client);
          let next = 0;
          const lane = async () => {
            while (next < PER_DEVICE) {
              const n = next++;
              const eventId = `${id}-${n}`;
              // mqtt.js keeps an unacknowledged QoS 1 publish and sends it again after reconnecting.
              await client.publishAsync(`devices/gas-sensor/${id}/events`, JSON.stringify({ ...wireEvent('gas-sensor', id, n), eventId }), { qos: 1 });
              ackedAt.set(eventId, Date.now());
              onAck();
            }
          };
          await Promise.all(Array.from({ length: WINDOW }, lane));
        }),
      );
      await restarting;
      assert.equal(ackedAt.size, TOTAL, 'the broker acknowledged every publish');

      const storedIds = async () =>
        new Set((await db.pool.query<{ event_id: string }>("SELECT event_id FROM device_events WHERE device_id LIKE 'mr-%'")).rows.map((r) => r.event_id));
      // Wait until every acknowledged event is stored, or until the store stops growing (the lost ones never come).
      let last = -1;
      for (const until = Date.now() + 60_000; Date.now() < until; ) {
        const n = (await storedIds()).size;
        if (n === TOTAL || n === last) break;
        last = n;
        await new Promise((r) => setTimeout(r, 3000));
      }
      const stored = await storedIds();
      const { rows } = await db.pool.query<{ n: number; d: number; dead: number }>(
        "SELECT count(*)::int AS n, count(DISTINCT (device_id, event_id))::int AS d, (SELECT count(*)::int FROM dead_letters) AS dead FROM device_events WHERE device_id LIKE 'mr-%'",
      );
      const lost = [...ackedAt].filter(([id]) => !stored.has(id));
      const window = marks.appBackAt - marks.brokerBackAt;
      t.diagnostic(
        `sent ${TOTAL}; stored ${rows[0]!.d}, dead-lettered ${rows[0]!.dead}, lost ${lost.length}; broker down ${marks.brokerBackAt - marks.stopAt} ms; ` +
          `loss window (broker back → Gridwatch subscribed, seen via /healthz) ${window} ms`,
      );

      assert.equal(rows[0]!.n, rows[0]!.d, 'no event stored twice');
      assert.ok(lost.every(([, at]) => at >= marks.stopAt), 'every event acknowledged before the restart is stored');
      assert.equal(rows[0]!.d + rows[0]!.dead + lost.length, TOTAL, 'sent = stored + dead-lettered + lost in the window');
    } finally {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
      await stopService(service);
      await broker.stop();
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
