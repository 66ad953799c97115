/**
 * MQTT and Kafka wired into startGridwatch: the embedded broker and the KAFKA_MOCK cluster
 * start with the app, show up in /healthz (with the port and bootstrap address a person
 * would feed with mosquitto_pub and kcat), take events from those real clients, and stop
 * with it. A taken MQTT_PORT stops start-up with the catalogued error.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config.js';
import { GwError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { startGridwatch } from '../../server/runtime.js';
import { getTestDb, type TestDb } from '../helpers/db.js';
import { requireBinary, run, waitFor, wireEvent } from './mqtt-kafka-support.js';

const MOSQUITTO_PUB = requireBinary('/usr/bin/mosquitto_pub', 'mosquitto-clients');
const KCAT = requireBinary('/usr/bin/kcat', 'kcat');
const log = createLogger('silent');

describe('MQTT and Kafka in startGridwatch', () => {
  let db: TestDb;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-rt-brokers-'));
  const config = (extra: Record<string, string>) =>
    ({ ...loadConfig({ PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', DATABASE_URL: db.connectionString, DATA_DIR: dataDir, ...extra }), demo: false });

  before(async () => {
    db = await getTestDb();
  });
  after(async () => {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('embedded MQTT and KAFKA_MOCK=1: fed by mosquitto_pub and kcat, reported in /healthz, stopped on close', async () => {
    const gw = await startGridwatch(config({ KAFKA_MOCK: '1' }), log);
    let mqttPort: number;
    try {
      const { token } = await gw.ingest.devices.register({ id: 'rt-gas-1', kind: 'gas-sensor' });
      const health = await (await fetch(`${gw.url}/healthz`)).json();
      assert.equal(health.components.mqtt.status, 'ok', JSON.stringify(health.components.mqtt));
      assert.equal(health.components.kafka.status, 'ok', JSON.stringify(health.components.kafka));
      mqttPort = health.components.mqtt.detail.port;
      const bootstrap: string = health.components.kafka.detail.bootstrap;
      assert.match(bootstrap, /^127\.0\.0\.1:\d+$/);

      const pub = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(mqttPort), '-u', 'rt-gas-1', '-P', token, '-q', '1', '-t', 'devices/gas-sensor/rt-gas-1/events', '-m', JSON.stringify(wireEvent('gas-sensor', 'rt-gas-1', 'via-mqtt'))]);
      assert.equal(pub.code, 0, pub.stderr);
      const kcat = await run(KCAT, ['-P', '-b', bootstrap, '-t', 'device-events', '-K:'], `rt-gas-1:${JSON.stringify(wireEvent('gas-sensor', 'rt-gas-1', 'via-kafka'))}\n`);
      assert.equal(kcat.code, 0, kcat.stderr);
      await waitFor('both events stored', async () => {
        const r = await db.pool.query<{ transport: string }>(`SELECT transport FROM device_events WHERE device_id = 'rt-gas-1' ORDER BY transport`);
        return r.rows.map((x) => x.transport).join(',') === 'kafka,mqtt';
      }, 30_000);
    } finally {
      await gw.close();
    }
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(mqttPort, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(false)));
      s.once('error', () => resolve(true));
    });
    assert.ok(refused, 'the embedded broker stopped listening on close');
  });

  test('a taken MQTT_PORT fails start-up with GW_MQTT_PORT_IN_USE', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(startGridwatch(config({ MQTT_PORT: String(port) }), log), (err: unknown) => {
        assert.ok(err instanceof GwError && err.code === 'GW_MQTT_PORT_IN_USE', String(err));
        assert.match(err.message, /MQTT_PORT/);
        return true;
      });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
