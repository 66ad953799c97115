/**
 * MQTT_URL mode against a real Mosquitto started here on a free port, configured with the
 * shipped deploy/mosquitto/mosquitto.conf and acl (ports and paths rewritten) and a password
 * file made by mosquitto_passwd. Devices publish with mosquitto_pub; the app's side is the
 * real registry and batching sink over the test database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../core/logger.js';
import { registry } from '../../core/metrics.js';
import { DeviceRegistry } from '../../ingest/device-registry.js';
import { BatchingIngestSink } from '../../ingest/ingest-sink.js';
import type { IngestSink, RawInput } from '../../ingest/transport.js';
import { ExternalMqttTransport } from '../../ingest/transports/mqtt-client.js';
import { getTestDb, resetDb, type TestDb } from '../helpers/db.js';
import { freePort, requireBinary, run, stopProcess, waitFor, wireEvent } from './mqtt-kafka-support.js';

const MOSQUITTO = requireBinary('/usr/sbin/mosquitto', 'mosquitto');
const MOSQUITTO_PASSWD = requireBinary('/usr/bin/mosquitto_passwd', 'mosquitto');
const MOSQUITTO_PUB = requireBinary('/usr/bin/mosquitto_pub', 'mosquitto-clients');
const shipped = path.resolve(import.meta.dirname, '../../deploy/mosquitto');
const log = createLogger(process.env.GW_TEST_LOG_LEVEL ?? 'silent');
const APP_SECRET = 'app-secret-for-tests';

/** A Mosquitto process running the shipped configuration on `port`, state kept in `dir`. */
class Mosquitto {
  private proc?: ChildProcess;
  output = '';
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  writeConfig(): void {
    // Started as root, Mosquitto drops to its own user, which may not be able to read the
    // clone (a private home or `mktemp -d` folder): every file it opens is copied here.
    const acl = path.join(this.dir, 'acl');
    fs.copyFileSync(path.join(shipped, 'acl'), acl);
    const conf = fs
      .readFileSync(path.join(shipped, 'mosquitto.conf'), 'utf8')
      .replace(/^listener 1883$/m, `listener ${this.port} 127.0.0.1`)
      .replace(/^password_file .*$/m, `password_file ${path.join(this.dir, 'passwd')}`)
      .replace(/^acl_file .*$/m, `acl_file ${acl}`)
      .replace(/^persistence_location .*$/m, `persistence_location ${path.join(this.dir, 'data')}/`);
    assert.ok(conf.includes(`listener ${this.port} `) && conf.includes(`acl_file ${acl}`), 'the shipped config has the lines the test rewrites');
    fs.mkdirSync(path.join(this.dir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 'mosquitto.conf'), conf);
    fs.chmodSync(this.dir, 0o755);
    for (const f of ['passwd', 'acl', 'mosquitto.conf']) fs.chmodSync(path.join(this.dir, f), 0o644);
    fs.chmodSync(path.join(this.dir, 'data'), 0o777);
  }

  async start(): Promise<void> {
    const proc = spawn(MOSQUITTO, ['-c', path.join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    this.proc = proc;
    // A broker that refuses its configuration exits at once: stop waiting and say why.
    await waitFor(`mosquitto to listen on ${this.port}`, async () => {
      if (proc.exitCode !== null) return true;
      const r = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(this.port), '-u', 'gridwatch', '-P', APP_SECRET, '-t', 'clues/probe', '-m', 'x']);
      return r.code === 0;
    });
    if (proc.exitCode !== null) throw new Error(`mosquitto exited ${proc.exitCode}: ${this.output}`);
  }

  /** SIGTERM: Mosquitto writes its persistence file on the way out. */
  stop(): Promise<void> {
    return this.proc ? stopProcess(this.proc) : Promise.resolve();
  }
}

/** Forwards to the real sink, failing the first `failFirst` submissions as a database outage would. */
class OutageSink implements IngestSink {
  failFirst = 0;
  constructor(private readonly inner: IngestSink) {}
  submit(inputs: RawInput[]) {
    if (this.failFirst > 0) {
      this.failFirst--;
      return Promise.reject(new Error('database unavailable (test outage)'));
    }
    return this.inner.submit(inputs);
  }
}

describe('MQTT_URL mode with a real Mosquitto', () => {
  let db: TestDb;
  let sink: BatchingIngestSink;
  let outage: OutageSink;
  let broker: Mosquitto;
  let tokens: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gw-mosquitto-'));
  const transports: ExternalMqttTransport[] = [];

  const startApp = async () => {
    const t = new ExternalMqttTransport({ url: `mqtt://gridwatch:${APP_SECRET}@127.0.0.1:${broker.port}`, clientId: 'gridwatch-test-1', log });
    await t.start(outage);
    transports.push(t);
    return t;
  };
  const duplicates = async () =>
    (await registry.getSingleMetric('gridwatch_ingest_events_total')!.get()).values
      .filter((v) => v.labels.transport === 'mqtt' && v.labels.outcome === 'duplicate')
      .reduce((a, v) => a + v.value, 0);
  const storedCount = async (deviceId: string) =>
    (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM device_events WHERE device_id = $1', [deviceId])).rows[0]!.n;
  const publish = async (deviceId: string, kind: Parameters<typeof wireEvent>[0], from: number, n: number, topic = `devices/${kind}/${deviceId}/events`) => {
    const lines = Array.from({ length: n }, (_, i) => JSON.stringify(wireEvent(kind, deviceId, from + i)));
    const r = await run(
      MOSQUITTO_PUB,
      ['-h', '127.0.0.1', '-p', String(broker.port), '-u', deviceId, '-P', tokens[deviceId]!, '-i', `pub-${deviceId}`, '-q', '1', '-t', topic, '-l'],
      lines.join('\n') + '\n',
    );
    assert.equal(r.code, 0, `mosquitto_pub as ${deviceId}: ${r.stderr}`);
  };

  before(async () => {
    db = await getTestDb();
    await resetDb(db.pool);
    const devices = new DeviceRegistry(db.pool);
    tokens = {};
    for (const [id, kind] of [
      ['mq-gas-1', 'gas-sensor'],
      ['mq-truck-2', 'waste-truck'],
    ] as const) {
      tokens[id] = (await devices.register({ id, kind })).token;
    }
    sink = new BatchingIngestSink({ pool: db.pool, devices, dataDir: dir, log }, { retryForMs: 1000 });
    outage = new OutageSink(sink);
    broker = new Mosquitto(dir, await freePort());
    const passwd = path.join(dir, 'passwd');
    for (const [user, pass] of [['gridwatch', APP_SECRET], ...Object.entries(tokens)]) {
      const r = await run(MOSQUITTO_PASSWD, [...(fs.existsSync(passwd) ? [] : ['-c']), '-b', passwd, user!, pass!]);
      assert.equal(r.code, 0, r.stderr);
    }
    broker.writeConfig();
    await broker.start();
  });

  after(async () => {
    for (const t of transports) await t.stop();
    await broker?.stop();
    await sink?.close();
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('devices publish QoS 1 with mosquitto_pub; the app stores each event once', async () => {
    const app = await startApp();
    assert.equal(app.health().status, 'ok');
    await publish('mq-gas-1', 'gas-sensor', 0, 50);
    await waitFor('50 events from mq-gas-1 stored', async () => (await storedCount('mq-gas-1')) === 50);
  });

  test('the shipped ACL keeps a device to its own topic: mq-gas-1 writing as mq-truck-2 is dropped by Mosquitto', async () => {
    await publish('mq-gas-1', 'waste-truck', 900, 1, 'devices/waste-truck/mq-truck-2/events');
    // A later event from the real mq-truck-2 on the same broker marks the point the spoof would have passed.
    await publish('mq-truck-2', 'waste-truck', 0, 1);
    await waitFor('mq-truck-2 own event stored', async () => (await storedCount('mq-truck-2')) === 1);
    const spoof = await db.pool.query(`SELECT 1 FROM device_events WHERE event_id = 'e-900'`);
    assert.equal(spoof.rowCount, 0);
    const dead = await db.pool.query(`SELECT 1 FROM dead_letters WHERE raw LIKE '%e-900%'`);
    assert.equal(dead.rowCount, 0, 'Mosquitto refused it: it never reached Gridwatch');
  });

  test('the password file made from Gridwatch tokens refuses a wrong token', async () => {
    const r = await run(MOSQUITTO_PUB, ['-h', '127.0.0.1', '-p', String(broker.port), '-u', 'mq-gas-1', '-P', tokens['mq-truck-2']!, '-q', '1', '-t', 'devices/gas-sensor/mq-gas-1/events', '-m', '{}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not authori[sz]ed|bad user name or password/i, r.stderr);
  });

  test('start-up fails with GW_MQTT_CONNECT naming MQTT_URL when the broker refuses the app or is not there', async () => {
    const attempts = [`mqtt://gridwatch:wrong-secret@127.0.0.1:${broker.port}`, `mqtt://gridwatch:${APP_SECRET}@127.0.0.1:${await freePort()}`];
    for (const url of attempts) {
      const t = new ExternalMqttTransport({ url, clientId: 'gridwatch-test-refused', log, connectTimeoutMs: 5000 });
      await assert.rejects(t.start(outage), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'GW_MQTT_CONNECT');
        assert.match(err.message, /MQTT_URL=mqtt:\/\/gridwatch:\*\*\*@127\.0\.0\.1:\d+/, 'names the URL, password masked');
        assert.ok(!err.message.includes(APP_SECRET));
        return true;
      });
    }
  });

  test('a storage outage leaves messages unacknowledged; the broker redelivers and all are stored once', async () => {
    outage.failFirst = 3;
    await publish('mq-gas-1', 'gas-sensor', 100, 20);
    await waitFor('events 100-119 stored after the outage', async () => (await storedCount('mq-gas-1')) === 70);
    assert.equal(outage.failFirst, 0, 'the outage was hit');
  });

  test('broker restarts, with the app away and with it connected: the persistent session loses nothing', async () => {
    const base = await storedCount('mq-gas-1');
    const duplicatesBefore = await duplicates();
    // Part 1 goes to the connected app; then the app leaves (its session stays) and part 2 is
    // queued for it, across a broker restart. (Mosquitto 2.0.11 does not restore the shared
    // subscription itself from its database, so nothing is published to the restarted broker
    // before the app is back: see README, "MQTT and Kafka".)
    await publish('mq-gas-1', 'gas-sensor', 200, 30);
    for (const t of transports.splice(0)) await t.stop();
    await publish('mq-gas-1', 'gas-sensor', 230, 30);
    await broker.stop();
    await broker.start();
    const app = await startApp();
    await waitFor('the 60 events published around the restart stored', async () => (await storedCount('mq-gas-1')) === base + 60, 30_000);
    // Stored is not yet acknowledged: each PUBACK goes out once its batch's submit resolves. Stopping
    // the broker before then would make it redeliver those messages, which is correct at-least-once
    // behaviour but not what the duplicate count below checks.
    await waitFor('every stored message acknowledged to the broker', () => (app.health().detail as { inFlight: number }).inFlight === 0);
    // inFlight 0 means the PUBACKs are written to the socket, not that Mosquitto has read them: a
    // SIGTERM before then persists those messages as unacknowledged (seen once in CI, 29 redelivered).
    // Mosquitto handles one connection's packets in order, so the PUBACK of a publish of our own on
    // the same connection says every earlier PUBACK has been processed.
    await app.publish('clues/test/barrier', 'x');
    // The broker restarts under the connected app: it reconnects and subscribes again by itself.
    await broker.stop();
    await waitFor('the app to notice the broker is gone', () => app.health().status === 'down');
    await broker.start();
    await waitFor('the app to reconnect and re-subscribe', () => app.health().status === 'ok');
    await publish('mq-gas-1', 'gas-sensor', 300, 10);
    await waitFor('events published after the second restart stored', async () => (await storedCount('mq-gas-1')) === base + 70, 30_000);
    const ids = await db.pool.query<{ n: number }>(`SELECT count(DISTINCT event_id)::int AS n FROM device_events WHERE device_id = 'mq-gas-1'`);
    assert.equal(ids.rows[0]!.n, base + 70, 'each event exactly once');
    // Had any stored message gone without its (deferred) PUBACK, the resumed session would have
    // brought it again as a duplicate.
    assert.equal(await duplicates(), duplicatesBefore, 'every stored message was acknowledged');
    assert.equal(app.health().status, 'ok');
  });
});
